/**
 * What every lock store must do (lock-store.ts), as one suite any implementation registers:
 * `lockStoreContract('SQLite', open)`. `open()` gives a store and `reopen()` a second one over
 * the same kept state, standing in for a restart.
 */
import { describe, expect, it } from 'vitest'
import type { LockStore, StoredLock, StoredWaiter } from './lock-store.ts'

export interface StoreUnderTest {
  store: LockStore
  reopen(): LockStore
}

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }

const held = (key: string, token: number, sessionId: string | null = null): StoredLock => ({
  lock: {
    key,
    holder: ann,
    acquiredAt: 1_000,
    expiresAt: 61_000,
    fencingToken: token,
    sessionId,
  },
  boardId: key.split('/')[0] as string,
  ttlMs: 60_000,
})

const waiter = (user: typeof ann, sessionId: string | null, queuedAt: number): StoredWaiter => ({
  user,
  sessionId,
  ttlMs: 30_000,
  queuedAt,
})

export function lockStoreContract(name: string, open: () => StoreUnderTest): void {
  describe(`lock store contract: ${name}`, () => {
    it('[L2] gives strictly growing tokens per key, independent across keys, across a reopen', () => {
      const { store, reopen } = open()
      expect([store.nextToken('b/task/1'), store.nextToken('b/task/1')]).toEqual([1, 2])
      expect(store.nextToken('b/task/2')).toBe(1)
      const later = reopen()
      expect(later.nextToken('b/task/1')).toBe(3)
      expect(later.nextToken('b/task/2')).toBe(2)
    })

    it('[L8] keeps held locks, with every field, until removed', () => {
      const { store, reopen } = open()
      store.save(held('b/task/1', 1, 's1'))
      store.save(held('b/media/2', 4))
      store.save({ ...held('b/task/1', 1, 's1'), ttlMs: 5_000 })
      const byKey = (locks: StoredLock[]) =>
        Object.fromEntries(locks.map((l) => [l.lock.key, l] as const))
      expect(byKey(reopen().loadLocks())).toEqual({
        'b/task/1': { ...held('b/task/1', 1, 's1'), ttlMs: 5_000 },
        'b/media/2': held('b/media/2', 4),
      })
      store.remove('b/task/1')
      expect(reopen().loadLocks()).toEqual([held('b/media/2', 4)])
    })

    it('[L6][L8] keeps queues in order; a new list replaces the old; an empty one removes it', () => {
      const { store, reopen } = open()
      store.saveQueue('b/task/1', [waiter(ann, 's1', 1), waiter(bob, null, 2)])
      store.saveQueue('b/task/2', [waiter(bob, 's2', 3)])
      expect(reopen().loadQueues()).toEqual(
        new Map([
          ['b/task/1', [waiter(ann, 's1', 1), waiter(bob, null, 2)]],
          ['b/task/2', [waiter(bob, 's2', 3)]],
        ]),
      )
      store.saveQueue('b/task/1', [waiter(bob, null, 2)])
      store.saveQueue('b/task/2', [])
      expect(reopen().loadQueues()).toEqual(new Map([['b/task/1', [waiter(bob, null, 2)]]]))
    })

    it('runs a transaction and hands back its result', () => {
      const { store, reopen } = open()
      const token = store.transaction(() => {
        const next = store.nextToken('b/task/1')
        store.save(held('b/task/1', next))
        return next
      })
      expect(token).toBe(1)
      expect(reopen().loadLocks()).toEqual([held('b/task/1', 1)])
    })

    it('hands out copies: changing what was loaded changes nothing kept', () => {
      const { store, reopen } = open()
      store.save(held('b/task/1', 1))
      const [loaded] = store.loadLocks()
      if (loaded) loaded.lock.holder = bob
      expect(reopen().loadLocks()[0]?.lock.holder).toEqual(ann)
    })
  })
}
