/**
 * Lock keys and shapes (docs/product.md, "Locks"). A key names an entity:
 * `<boardId>/<entityType>/<entityId>`. Keys are built by `lockKey` and read by `parseLockKey`
 * only; within one board an entity is named by its ref, `<entityType>/<entityId>`.
 */
import { ID_PATTERN } from '../ids.ts'
import { isEntityType, type EntityType } from '../schema/board.ts'

/** An entity within its board: `<entityType>/<entityId>`. */
export type EntityRef = `${EntityType}/${string}`

export function entityRef(entityType: EntityType, entityId: string): EntityRef {
  return `${entityType}/${entityId}`
}

export function lockKey(boardId: string, ref: EntityRef): string {
  return `${boardId}/${ref}`
}

export interface LockKey {
  boardId: string
  entityType: EntityType
  entityId: string
  ref: EntityRef
}

export function parseLockKey(key: unknown): LockKey | null {
  if (typeof key !== 'string') return null
  const parts = key.split('/')
  if (parts.length !== 3) return null
  const [boardId, entityType, entityId] = parts as [string, string, string]
  if (!ID_PATTERN.test(boardId) || !ID_PATTERN.test(entityId) || !isEntityType(entityType))
    return null
  return { boardId, entityType, entityId, ref: entityRef(entityType, entityId) }
}

export interface LockHolder {
  id: string
  name: string
}

export interface Lock {
  key: string
  holder: LockHolder
  acquiredAt: number
  expiresAt: number
  fencingToken: number
  /** The live session the lock belongs to, if it was taken with one. */
  sessionId: string | null
}

export interface Queued {
  key: string
  position: number
  estimatedWaitMs: number
}
