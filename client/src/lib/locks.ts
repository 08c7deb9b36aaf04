/**
 * Locks as the board shows them: who holds what (from GET /api/locks and the board's lock
 * events), and taking, renewing and releasing through the live socket, so a lock belongs to
 * this tab's session and is freed if the tab vanishes.
 */
import { createSignal } from 'solid-js'
import { entityRef, lockEventEffect, lockKey, type Lock } from '../../../shared/protocol/locks.ts'
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

/** The held locks after one of the board's lock events, ordered by fencing token (lockEventEffect). */
export function applyLockEvent(
  all: Record<string, HeldLock>,
  ended: Map<string, number>,
  type: string,
  data: LockEventData,
): Record<string, HeldLock> {
  const key = data.key
  if (!key) return all
  const effect = lockEventEffect(all[key]?.fencingToken, ended, {
    type,
    key,
    fencingToken: data.fencingToken,
  })
  if (effect === 'hold' && data.holder) {
    const lock = {
      key,
      holder: data.holder,
      expiresAt: data.expiresAt ?? 0,
      fencingToken: data.fencingToken ?? 0,
    }
    return { ...all, [key]: lock }
  }
  if (effect !== 'free') return all
  const { [key]: _gone, ...rest } = all
  return rest
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
