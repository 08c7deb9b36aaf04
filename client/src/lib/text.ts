import type * as Y from 'yjs'

/**
 * Applies a textarea's new value to a Y.Text as the smallest change (common prefix and suffix
 * kept), so someone else typing elsewhere in the same text keeps their words.
 */
export function applyTextDiff(text: Y.Text, next: string): void {
  const previous = text.toString()
  let start = 0
  while (start < previous.length && start < next.length && previous[start] === next[start]) start++
  let endPrevious = previous.length
  let endNext = next.length
  while (
    endPrevious > start &&
    endNext > start &&
    previous[endPrevious - 1] === next[endNext - 1]
  ) {
    endPrevious--
    endNext--
  }
  if (endPrevious > start) text.delete(start, endPrevious - start)
  if (endNext > start) text.insert(start, next.slice(start, endNext))
}
