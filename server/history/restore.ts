/**
 * Restoring from a version (docs/product.md, "History") is a new change on top of the live
 * board, never a rewind: the live document is edited until what is restored equals the
 * version, changing only what differs, so later work elsewhere is kept and every replica
 * merges the restore like any edit. Entities deleted since are re-created under their id.
 *
 * These functions run inside one server transaction on the room's document (restore-service.ts).
 */
import { isDeepStrictEqual } from 'node:util'
import * as Y from 'yjs'
import { BoardKey, EntityCollection, type EntityType } from '../../shared/schema/board.ts'

/** Makes the live board's content equal the version's (every top-level map of the schema). */
export function restoreBoard(live: Y.Doc, past: Y.Doc): void {
  for (const name of Object.values(BoardKey)) reconcileMap(live.getMap(name), past.getMap(name))
}

/** Whether the version holds the entity (it can only be restored if so). */
export function hasEntity(past: Y.Doc, entityType: EntityType, entityId: string): boolean {
  return past.getMap(EntityCollection[entityType]).has(entityId)
}

/** Brings one entity back as it was in the version, re-creating it if it was deleted. */
export function restoreEntity(
  live: Y.Doc,
  past: Y.Doc,
  entityType: EntityType,
  entityId: string,
): void {
  const name = EntityCollection[entityType]
  const value: unknown = past.getMap(name).get(entityId)
  reconcileKey(live.getMap(name), entityId, value)
}

function reconcileKey(live: Y.Map<unknown>, key: string, value: unknown): void {
  const current: unknown = live.get(key)
  if (value instanceof Y.AbstractType) {
    if (!reconcileType(current, value)) live.set(key, value.clone())
  } else if (!live.has(key) || !isDeepStrictEqual(current, value)) {
    live.set(key, value)
  }
}

function reconcileMap(live: Y.Map<unknown>, past: Y.Map<unknown>): void {
  for (const [key, value] of past.entries()) reconcileKey(live, key, value)
  for (const key of [...live.keys()]) if (!past.has(key)) live.delete(key)
}

/** Reconciles a live type in place; false when it is not of the version's kind (replace it). */
function reconcileType(current: unknown, past: Y.AbstractType<unknown>): boolean {
  if (!(current instanceof Y.AbstractType) || current.constructor !== past.constructor) return false
  if (past instanceof Y.Map) reconcileMap(current as Y.Map<unknown>, past)
  else if (past instanceof Y.Array) reconcileArray(current as Y.Array<unknown>, past)
  else if (past instanceof Y.Text) reconcileText(current as Y.Text, past)
  else return isDeepStrictEqual(current.toJSON(), past.toJSON())
  return true
}

type Delta = Array<{ insert?: unknown; attributes?: Record<string, unknown> }>

function reconcileText(live: Y.Text, past: Y.Text): void {
  const before = live.toDelta() as Delta
  const after = past.toDelta() as Delta
  if (isDeepStrictEqual(before, after)) return
  const plain = (delta: Delta) =>
    delta.every((op) => typeof op.insert === 'string' && op.attributes === undefined)
  if (plain(before) && plain(after)) {
    // Only the span that differs is replaced: cursors and concurrent edits outside it stay.
    const a = live.toString()
    const b = past.toString()
    let start = 0
    while (start < a.length && start < b.length && a[start] === b[start]) start++
    let end = 0
    while (end < a.length - start && end < b.length - start && a.at(-1 - end) === b.at(-1 - end))
      end++
    // Never split a surrogate pair: Yjs counts UTF-16 units, and half a pair is no character.
    if (start > 0 && isHighSurrogate(a.charCodeAt(start - 1))) start--
    if (end > 0 && isLowSurrogate(a.charCodeAt(a.length - end))) end--
    live.delete(start, a.length - start - end)
    live.insert(start, b.slice(start, b.length - end))
    return
  }
  live.delete(0, live.length)
  live.applyDelta(
    after.map((op) => ({
      ...op,
      insert: op.insert instanceof Y.AbstractType ? op.insert.clone() : op.insert,
    })),
  )
}

/**
 * Arrays are matched by identity: maps by their `id` field (comments), plain values by value.
 * Items not in the version go, missing ones come back in the version's order, matched maps are
 * reconciled in place. Anything that cannot be matched so is replaced whole.
 */
function reconcileArray(live: Y.Array<unknown>, past: Y.Array<unknown>): void {
  const pastItems = past.toArray()
  const pastKeys = pastItems.map(identity)
  const liveKeys = live.toArray().map(identity)
  const unique = (keys: Array<string | null>) =>
    !keys.includes(null) && new Set(keys).size === keys.length
  if (!unique(pastKeys) || !unique(liveKeys)) return replaceArray(live, pastItems)
  const wanted = new Set(pastKeys)
  for (let i = liveKeys.length - 1; i >= 0; i--) {
    if (!wanted.has(liveKeys[i] as string)) {
      live.delete(i, 1)
      liveKeys.splice(i, 1)
    }
  }
  // What is left must already be in the version's order (Yjs arrays never move items).
  const order = new Map(pastKeys.map((key, i) => [key, i]))
  const positions = liveKeys.map((key) => order.get(key) as number)
  if (positions.some((p, i) => i > 0 && p < (positions[i - 1] as number)))
    return replaceArray(live, pastItems)
  let at = 0
  for (const [i, item] of pastItems.entries()) {
    if (liveKeys[at] === pastKeys[i]) {
      const current: unknown = live.get(at)
      if (item instanceof Y.Map && !reconcileType(current, item as Y.AbstractType<unknown>)) {
        live.delete(at, 1)
        live.insert(at, [item.clone()])
      }
    } else {
      live.insert(at, [item instanceof Y.AbstractType ? item.clone() : item])
      liveKeys.splice(at, 0, pastKeys[i] as string)
    }
    at++
  }
}

function identity(item: unknown): string | null {
  if (item instanceof Y.Map) {
    const id: unknown = item.get('id')
    return typeof id === 'string' ? `id:${id}` : null
  }
  if (item instanceof Y.AbstractType) return null
  return `value:${JSON.stringify(item)}`
}

function replaceArray(live: Y.Array<unknown>, items: unknown[]): void {
  if (isDeepStrictEqual(live.toJSON(), items.map(toJson))) return
  live.delete(0, live.length)
  live.insert(
    0,
    items.map((item) => (item instanceof Y.AbstractType ? item.clone() : item)),
  )
}

const toJson = (item: unknown): unknown => (item instanceof Y.AbstractType ? item.toJSON() : item)

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff
