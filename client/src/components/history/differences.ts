/**
 * What differs between a version and the live board, entity by entity: deleted since (in the
 * version only), added since (now only) and changed since (both, with other content). Only
 * deleted and changed ones can be restored from the version.
 */
import type { EntityType } from '../../../../shared/schema/board.ts'
import type { BoardContent } from '../../lib/board-store.ts'

export interface Difference {
  entityType: EntityType
  id: string
  state: 'deleted' | 'changed' | 'added'
}

const collections = [
  ['task', 'tasks'],
  ['thread', 'threads'],
  ['media', 'media'],
  ['annotation', 'annotations'],
] as const

export function differences(past: BoardContent, now: BoardContent): Difference[] {
  const out: Difference[] = []
  for (const [entityType, key] of collections) {
    const before = past[key] as Record<string, unknown>
    const after = now[key] as Record<string, unknown>
    for (const id of Object.keys(before)) {
      if (!before[id]) continue
      if (!after[id]) out.push({ entityType, id, state: 'deleted' })
      else if (!sameValue(before[id], after[id])) out.push({ entityType, id, state: 'changed' })
    }
    for (const id of Object.keys(after))
      if (after[id] && !before[id]) out.push({ entityType, id, state: 'added' })
  }
  return out
}

/** Deep equality of plain JSON, whatever order the keys were written in. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const x = a as Record<string, unknown>
  const y = b as Record<string, unknown>
  const keys = Object.keys(x).filter((k) => x[k] !== undefined)
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false
  return keys.every((k) => sameValue(x[k], y[k]))
}
