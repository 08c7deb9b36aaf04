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

/**
 * What one lock event does to a key's lock as a reader of lock events knows it (the web
 * client's board, a cluster node's lock table). Each grant has a fencing token that grows per
 * key, and an end names the token of the grant it ends. Events written by different nodes can
 * arrive out of the order the locks changed in (a release after the grant that followed it),
 * so an end of an older grant leaves a newer one alone, an older grant does not replace a
 * newer one, and a grant already ended is not taken up again: `ended` keeps the highest token
 * ended per key, and is updated here. An end without a token (written before ends had one)
 * applies as it comes.
 *
 * `held`: the token of the key's lock known now (undefined: none). Returns `hold` (the event's
 * grant is the key's lock now), `free` (the key has no lock now) or `keep` (nothing changes).
 */
export function lockEventEffect(
  held: number | undefined,
  ended: Map<string, number>,
  event: { type: string; key: string; fencingToken?: number | undefined },
): 'hold' | 'free' | 'keep' {
  const { type, key, fencingToken: token } = event
  if (type === 'lock.acquired') {
    const granted = token ?? 0
    if (held !== undefined && held > granted) return 'keep'
    if (granted > 0 && granted <= (ended.get(key) ?? 0)) return 'keep'
    return 'hold'
  }
  if (type === 'lock.released' || type === 'lock.expired') {
    if (token !== undefined) ended.set(key, Math.max(token, ended.get(key) ?? 0))
    if (held === undefined || (token !== undefined && held > token)) return 'keep'
    return 'free'
  }
  return 'keep'
}
