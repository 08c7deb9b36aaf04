/**
 * A user's color, derived from their id so it is the same in every session and on every
 * client without being stored or sent (docs/product.md, "Awareness").
 */
const palette = [
  '#e5484d',
  '#f76b15',
  '#ffb224',
  '#46a758',
  '#12a594',
  '#0090ff',
  '#3e63dd',
  '#8e4ec6',
  '#d6409f',
  '#978365',
  '#ad7f58',
  '#5b5bd6',
] as const

export function colorFor(userId: string): string {
  let hash = 2166136261
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i)
    hash = Math.imul(hash, 16777619)
  }
  return palette[(hash >>> 0) % palette.length] as string
}
