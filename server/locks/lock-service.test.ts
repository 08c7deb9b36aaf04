import { describe, expect, it } from 'vitest'
import { openDb } from '../db/open.ts'
import { LockError, LockService, type LockEvents } from './lock-service.ts'
import { MemoryLockStore, type LockStore } from './lock-store.ts'
import { SqliteLockStore } from './sqlite-lock-store.ts'

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }
const cy = { id: 'cy', name: 'Cy' }
const key = 'b1/task/t1'

/** The rules run against every store; `reopen` gives a store over the same kept state. */
const stores: Array<{ name: string; open(): { store: LockStore; reopen(): LockStore } }> = [
  {
    name: 'SQLite',
    open() {
      const db = openDb(':memory:', { sync: 'normal' })
      return { store: new SqliteLockStore(db), reopen: () => new SqliteLockStore(db) }
    },
  },
  {
    name: 'memory',
    open() {
      const store = new MemoryLockStore()
      return { store, reopen: () => store }
    },
  },
]

describe.each(stores)('LockService on the $name store', ({ open }) => {
  function setup(store: LockStore = open().store, alive = new Set<string>()) {
    const clocks = { mono: 1000, wall: 1_700_000_000_000 }
    const log: string[] = []
    const events: LockEvents = {
      granted: (lock, _b, fromQueue) =>
        log.push(`granted ${lock.holder.id} #${lock.fencingToken}${fromQueue ? ' (queue)' : ''}`),
      released: (lock, _b, reason) => log.push(`${reason} ${lock.holder.id}`),
      queued: (_k, _b, waiter, _h, position) => log.push(`queued ${waiter.id} @${position}`),
      refused: (_k, _b, who) => log.push(`refused ${who.id}`),
    }
    const service = new LockService({
      store,
      defaultTtlMs: 60_000,
      monotonic: () => clocks.mono,
      wall: () => clocks.wall,
      sessionAlive: (id) => alive.has(id),
      events,
    })
    const acquire = (
      user: typeof ann,
      extra: { wait?: boolean; sessionId?: string; ttlMs?: number; requestId?: string } = {},
    ) => service.acquire({ key, boardId: 'b1', user, sessionId: extra.sessionId ?? null, ...extra })
    return { service, clocks, log, acquire, alive }
  }

  it('[L1][L2] grants one holder; later grants carry larger fencing tokens', () => {
    const { acquire, service } = setup()
    const first = acquire(ann)
    expect('lock' in first && first.lock.fencingToken).toBe(1)
    expect(() => acquire(bob)).toThrow(LockError)
    service.release(key, ann, null)
    const second = acquire(bob)
    expect('lock' in second && second.lock.fencingToken).toBe(2)
  })

  it('[L3] only the holder renews or releases', () => {
    const { acquire, service } = setup()
    acquire(ann)
    expect(() => service.release(key, bob, null)).toThrow(
      expect.objectContaining({ code: 'not_holder' }),
    )
    expect(() => service.renew(key, bob, null)).toThrow(
      expect.objectContaining({ code: 'not_holder' }),
    )
    expect(service.get(key)?.holder).toEqual(ann)
    service.release(key, ann, null)
    expect(() => service.release(key, ann, null)).toThrow(
      expect.objectContaining({ code: 'not_holder' }),
    )
  })

  it('[L4] expires on the monotonic clock only; wall-clock jumps change nothing', () => {
    const { acquire, service, clocks, log } = setup()
    acquire(ann, { ttlMs: 10_000 })
    clocks.wall += 3_600_000
    expect(service.get(key)?.holder).toEqual(ann)
    clocks.wall -= 7_200_000
    clocks.mono += 9_999
    expect(service.get(key)?.holder).toEqual(ann)
    clocks.mono += 1
    expect(service.get(key)).toBeNull()
    expect(log.at(-1)).toBe('expired ann')
  })

  it('[L6] serves waiters first come first served, skips dead sessions, honours cancel', () => {
    const alive = new Set(['s-bob', 's-cy'])
    const { acquire, service, log } = setup(undefined, alive)
    acquire(ann)
    expect(acquire(bob, { wait: true, sessionId: 's-bob' })).toMatchObject({
      queued: { position: 1 },
    })
    expect(acquire(cy, { wait: true, sessionId: 's-cy' })).toMatchObject({
      queued: { position: 2 },
    })
    expect(acquire({ id: 'dee', name: 'Dee' }, { wait: true })).toMatchObject({
      queued: { position: 3 },
    })
    alive.delete('s-bob')
    service.cancel(key, { id: 'dee', name: 'Dee' }, null)
    service.release(key, ann, null)
    expect(service.get(key)?.holder).toEqual(cy)
    expect(log).toContain('granted cy #2 (queue)')
    service.release(key, cy, 's-cy')
    expect(service.get(key)).toBeNull()
  })

  it('[L6] a refusal tells who holds it and an estimated wait', () => {
    const { acquire, clocks } = setup()
    acquire(ann, { ttlMs: 20_000 })
    clocks.mono += 5_000
    try {
      acquire(bob)
      expect.unreachable()
    } catch (error) {
      expect(error).toMatchObject({
        code: 'locked',
        details: { holder: ann, estimatedWaitMs: 15_000, queueLength: 0 },
      })
    }
  })

  it('[L7] a retried acquire gets the first answer', () => {
    const { acquire, log } = setup()
    const first = acquire(ann, { requestId: 'r1' })
    expect(acquire(ann, { requestId: 'r1' })).toBe(first)
    acquire(bob, { wait: true, requestId: 'r2' })
    expect(acquire(bob, { wait: true, requestId: 'r2' })).toMatchObject({ queued: { position: 1 } })
    expect(log.filter((l) => l.startsWith('granted'))).toHaveLength(1)
    expect(log.filter((l) => l.startsWith('queued'))).toHaveLength(1)
  })

  it('[L7] request ids are per session: another session reusing an id is not handed the lock', () => {
    const { acquire } = setup()
    acquire(ann, { sessionId: 's1', requestId: 'r1' })
    expect(() => acquire(ann, { sessionId: 's2', requestId: 'r1' })).toThrow(
      expect.objectContaining({ code: 'locked' }),
    )
  })

  it('[L5] a dead session loses its locks and its places', () => {
    const { acquire, service } = setup(undefined, new Set(['s1']))
    acquire(ann, { sessionId: 's1' })
    acquire(bob, { wait: true })
    service.releaseSession('s1')
    expect(service.get(key)?.holder).toEqual(bob)
  })

  it('[L2][L8] locks and fencing counters survive a restart with their remaining time', () => {
    const kept = open()
    const first = setup(kept.store)
    first.acquire(ann, { ttlMs: 60_000, sessionId: 's1' })
    first.service.release(key, ann, 's1')
    first.acquire(ann, { ttlMs: 60_000, sessionId: 's1' })
    first.clocks.mono += 20_000
    first.clocks.wall += 20_000
    const second = setup(kept.reopen())
    second.clocks.wall = first.clocks.wall
    const restored = new LockService({
      store: kept.reopen(),
      defaultTtlMs: 60_000,
      monotonic: () => second.clocks.mono,
      wall: () => first.clocks.wall,
      sessionAlive: () => true,
      events: { granted() {}, released() {}, queued() {}, refused() {} },
    })
    expect(restored.get(key)?.fencingToken).toBe(2)
    expect(restored.sessionsInUse()).toEqual([{ sessionId: 's1', user: ann }])
    second.clocks.mono += 39_999
    expect(restored.get(key)).not.toBeNull()
    second.clocks.mono += 1
    expect(restored.get(key)).toBeNull()
    const again = restored.acquire({ key, boardId: 'b1', user: bob, sessionId: null })
    expect('lock' in again && again.lock.fencingToken).toBe(3)
  })
})
