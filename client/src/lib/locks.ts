/**
 * Locks as the board shows them: who holds what (from GET /api/locks and the board's lock
 * events), and taking, renewing and releasing through the live socket, so a lock belongs to
 * this tab's session and is freed if the tab vanishes.
 */
import { createSignal } from 'solid-js'
import { entityRef, lockKey, type Lock } from '../../../shared/protocol/locks.ts'
import type { EntityType } from '../../../shared/schema/board.ts'
import { api } from './api.ts'
import type { Live } from './live.ts'

/** What the board needs of a held lock (lock events carry no more than this). */
export type HeldLock = Pick<Lock, 'key' | 'holder' | 'expiresAt' | 'fencingToken'>

interface LockEventData {
  key?: string
  holder?: HeldLock['holder']
  expiresAt?: number
  fencingToken?: number
}

/**
 * The held locks after one of the board's lock events. Each grant has a fencing token that
 * grows per key; an end names the token of the grant it ends. In a cluster, events of one key
 * written by different nodes can arrive out of the order the locks changed in (a release
 * after the grant that followed it), so an end of an older grant leaves a newer one alone, and
 * a grant already ended (`ended`: the highest token ended per key) is not shown again. Events
 * without a token (written before tokens were added to ends) apply as they come.
 */
export function applyLockEvent(
  all: Record<string, HeldLock>,
  ended: Map<string, number>,
  type: string,
  data: LockEventData,
): Record<string, HeldLock> {
  const key = data.key
  if (!key) return all
  const current = all[key]
  if (type === 'lock.acquired' && data.holder) {
    const token = data.fencingToken ?? 0
    if (current && current.fencingToken > token) return all
    if (token > 0 && token <= (ended.get(key) ?? 0)) return all
    return {
      ...all,
      [key]: { key, holder: data.holder, expiresAt: data.expiresAt ?? 0, fencingToken: token },
    }
  }
  if (type === 'lock.released' || type === 'lock.expired') {
    const token = data.fencingToken
    if (token !== undefined) ended.set(key, Math.max(token, ended.get(key) ?? 0))
    if (!current || (token !== undefined && current.fencingToken > token)) return all
    const { [key]: _gone, ...rest } = all
    return rest
  }
  return all
}

export function createLocks(boardId: string, live: Live) {
  const [locks, setLocks] = createSignal<Record<string, HeldLock>>({})
  const [waiting, setWaiting] = createSignal<Record<string, true>>({})
  const ended = new Map<string, number>()
  const load = async () => {
    const { locks: list } = await api.locks(boardId)
    setLocks(Object.fromEntries(list.map((l) => [l.key, l])))
  }
  void load().catch(() => {})
  const stop = live.subscribe(
    `board:${boardId}`,
    ({ event }) => {
      const data = event.data as LockEventData
      setLocks((all) => applyLockEvent(all, ended, event.type, data))
      const key = data.key
      if (key && event.type === 'lock.acquired') setWaiting(({ [key]: _done, ...rest }) => rest)
    },
    () => void load(),
  )
  const renewals = new Map<string, ReturnType<typeof setInterval>>()
  const keyOf = (entityType: EntityType, entityId: string) =>
    lockKey(boardId, entityRef(entityType, entityId))
  return {
    locks,
    waiting,
    keyOf,
    holderOf: (entityType: EntityType, entityId: string) =>
      locks()[keyOf(entityType, entityId)]?.holder ?? null,
    /** Takes the lock for an edit and keeps renewing it while the edit goes on. */
    async take(entityType: EntityType, entityId: string): Promise<boolean> {
      const key = keyOf(entityType, entityId)
      try {
        await live.request({ type: 'lock.acquire', key, ttlMs: 5 * 60_000 })
        renewals.set(
          key,
          setInterval(
            () => void live.request({ type: 'lock.renew', key, ttlMs: 5 * 60_000 }).catch(() => {}),
            60_000,
          ),
        )
        return true
      } catch {
        await load().catch(() => {})
        return false
      }
    },
    async release(entityType: EntityType, entityId: string) {
      const key = keyOf(entityType, entityId)
      clearInterval(renewals.get(key))
      renewals.delete(key)
      await live.request({ type: 'lock.release', key }).catch(() => {})
    },
    /** "Notify me when free": joins the queue; the lock comes with a notification. */
    async notifyWhenFree(entityType: EntityType, entityId: string) {
      const key = keyOf(entityType, entityId)
      await live.request({ type: 'lock.acquire', key, wait: true, ttlMs: 5 * 60_000 })
      setWaiting((all) => ({ ...all, [key]: true }))
    },
    dispose() {
      for (const timer of renewals.values()) clearInterval(timer)
      stop()
    },
  }
}

export type Locks = ReturnType<typeof createLocks>
