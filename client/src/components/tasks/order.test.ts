import { generateNKeysBetween } from 'fractional-indexing'
import { describe, expect, it } from 'vitest'
import { compareOrder, keyBetween, placeAt, type Ordered } from './order.ts'

/** A seeded random number generator, so a failing case can be replayed. */
function seeded(seed: number) {
  let s = seed
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
}

/** Moves `id` to `index` of the column the way the task board does, and returns the new order. */
function move(column: Ordered[], id: string, index: number, random: () => number): string[] {
  const rest = column.filter((t) => t.id !== id).sort(compareOrder)
  const keys = new Map(placeAt(rest, index, id, random))
  const next = column.map((t) => ({ ...t, order: keys.get(t.id) ?? t.order }))
  return next.sort(compareOrder).map((t) => t.id)
}

describe('task order: a move is never lost', () => {
  it('breaks ties by id, the same on every replica', () => {
    const tied = [
      { id: 'b', order: 'a1' },
      { id: 'a', order: 'a1' },
      { id: 'c', order: 'a0' },
    ]
    expect([...tied].sort(compareOrder).map((t) => t.id)).toEqual(['c', 'a', 'b'])
  })

  it('drops a card between two tasks that share a key (two people added at once)', () => {
    const column = [
      { id: 'x', order: 'a0' },
      { id: 'p', order: 'a1' },
      { id: 'q', order: 'a1' },
      { id: 'r', order: 'a1' },
      { id: 's', order: 'a2' },
    ]
    // x goes between p and q (index 1 of the column without x).
    expect(move(column, 'x', 1, Math.random)).toEqual(['p', 'x', 'q', 'r', 's'])
    expect(move(column, 'x', 2, Math.random)).toEqual(['p', 'q', 'x', 'r', 's'])
    expect(move(column, 's', 1, Math.random)).toEqual(['x', 's', 'p', 'q', 'r'])
    // Only the tied run after the drop point moves aside; the rest keeps its keys.
    const rest = column.filter((t) => t.id !== 'x')
    expect(placeAt(rest, 1, 'x').map(([id]) => id)).toEqual(['x', 'q', 'r'])
  })

  it('re-keys a column holding keys that are not keys, and still places the card', () => {
    const column = [
      { id: 'a', order: 'not a key' },
      { id: 'b', order: 'a1' },
      { id: 'c', order: undefined as unknown as string },
    ]
    const sorted = [...column].sort(compareOrder).map((t) => t.id)
    expect(move(column, sorted[0] as string, 2, Math.random)).toEqual([
      ...sorted.slice(1, 3),
      sorted[0],
    ])
  })

  it('jitters new keys: two people adding at the end at once rarely tie', () => {
    const last = 'a5'
    const keys = new Set(Array.from({ length: 20 }, (_, i) => keyBetween(last, null, seeded(i))))
    expect(keys.size).toBeGreaterThan(10)
    for (const key of keys) expect(key > last).toBe(true)
    const between = keyBetween('a1', 'a2')
    expect(between > 'a1' && between < 'a2').toBe(true)
  })

  it('places every card where it was dropped, through thousands of random moves over ties', () => {
    const random = seeded(7)
    const keys = generateNKeysBetween(null, null, 4)
    // Many ties: 30 tasks over 4 keys.
    let column: Ordered[] = Array.from({ length: 30 }, (_, i) => ({
      id: `t${String(i).padStart(2, '0')}`,
      order: keys[i % 4] as string,
    }))
    for (let n = 0; n < 3000; n++) {
      const sorted = [...column].sort(compareOrder)
      const moving = sorted[Math.floor(random() * sorted.length)] as Ordered
      const rest = sorted.filter((t) => t !== moving)
      const index = Math.floor(random() * (rest.length + 1))
      const placed = new Map(placeAt(rest, index, moving.id, random))
      column = column.map((t) => ({ ...t, order: placed.get(t.id) ?? t.order }))
      const expected = rest.map((t) => t.id)
      expected.splice(index, 0, moving.id)
      expect([...column].sort(compareOrder).map((t) => t.id)).toEqual(expected)
    }
  })
})
