/**
 * Where a task sits in its column: its `order` key (a fractional index, docs/product.md "The
 * data"), ties broken by id, so every replica shows one order even when two tasks got the same
 * key — two people adding at once, or one of them offline. New keys are jittered (a random key
 * between the neighbours, not always the midpoint), so such ties are rare; when neighbours do
 * tie, a drop between them re-keys the tied run after the drop point instead of failing, and a
 * column holding a key that is not one (another client wrote it) is re-keyed whole. A move is
 * never lost.
 */
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing'

export interface Ordered {
  id: string
  order: string
}

/** How many candidate keys a new key is drawn from: two adds at once tie one time in this. */
const JITTER = 64

const keyOf = (item: Ordered): string => (typeof item.order === 'string' ? item.order : '')

/** The one order of a column: by key, then by id. */
export function compareOrder(a: Ordered, b: Ordered): number {
  const x = keyOf(a)
  const y = keyOf(b)
  if (x !== y) return x < y ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** A key strictly between two different keys (null: an open end), drawn at random. */
export function keyBetween(
  lower: string | null,
  upper: string | null,
  random: () => number = Math.random,
): string {
  const candidates = generateNKeysBetween(lower, upper, JITTER)
  return candidates[Math.floor(random() * JITTER) % JITTER] ?? generateKeyBetween(lower, upper)
}

/**
 * The keys that put a task (`id`) at `index` of `list` — the column sorted by `compareOrder`,
 * without that task: its own, and those of any neighbours that must move aside for it.
 */
export function placeAt(
  list: readonly Ordered[],
  index: number,
  id: string,
  random: () => number = Math.random,
): Array<[id: string, order: string]> {
  const at = Math.max(0, Math.min(index, list.length))
  const before = list[at - 1]
  const after = list[at]
  try {
    if (!before || !after || keyOf(before) !== keyOf(after))
      return [[id, keyBetween(before ? keyOf(before) : null, after ? keyOf(after) : null, random)]]
    // The neighbours tie: the moved task and the tied run after it get keys of their own,
    // between the tied key and the next different one.
    let end = at
    while (end < list.length && keyOf(list[end] as Ordered) === keyOf(before)) end++
    const next = list[end]
    const keys = generateNKeysBetween(keyOf(before), next ? keyOf(next) : null, 1 + end - at)
    return [id, ...list.slice(at, end).map((item) => item.id)].map((taskId, i) => [
      taskId,
      keys[i] as string,
    ])
  } catch {
    // A key that is not a fractional index: the whole column gets fresh keys, in its order.
    const ids = list.map((item) => item.id)
    ids.splice(at, 0, id)
    const keys = generateNKeysBetween(null, null, ids.length)
    return ids.map((taskId, i) => [taskId, keys[i] as string])
  }
}
