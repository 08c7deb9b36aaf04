/**
 * The rules of docs/locks.md as one suite that any lock service registers, so the single-node
 * service (SQLite) and the cluster's (Redis) are held to the same promises:
 * `lockRulesContract('SQLite', open)`. Time is real (TTLs of a few hundred ms, waited for with
 * vi.waitFor): the cluster's deadlines run on Redis's clock, which no test can move. Rules that
 * need an injected clock (wall-clock jumps, exact estimates) stay in lock-service.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EntityRef, Lock, LockHolder } from '../../shared/protocol/locks.ts'
import type { AcquireResult, LockEvents } from './lock-service.ts'

/** The lock service's operations, as promises (the cluster's are; the single node's resolve at once). */
export interface LockOperations {
  acquire(request: {
    key: string
    boardId: string
    user: LockHolder
    sessionId: string | null
    ttlMs?: number | undefined
    wait?: boolean | undefined
    requestId?: string | undefined
  }): Promise<AcquireResult>
  release(key: string, user: LockHolder, sessionId: string | null): Promise<Lock>
  renew(key: string, user: LockHolder, sessionId: string | null, ttlMs?: number): Promise<Lock>
  cancel(key: string, user: LockHolder, sessionId: string | null): Promise<void>
  forceRelease(key: string, by: LockHolder): Promise<Lock>
  releaseSession(sessionId: string): Promise<void>
  releaseMember(userId: string, boardIds: ReadonlySet<string>, by: LockHolder): Promise<void>
  list(boardId: string): Promise<Lock[]>
  get(key: string): Promise<Lock | null>
  lockedByOthers(boardId: string, userId: string): Promise<Map<EntityRef, LockHolder> | null>
}

export interface LockRulesUnderTest {
  locks: LockOperations
  /** Starts a live session of `user`. */
  openSession(sessionId: string, user: LockHolder): Promise<void>
  /** The session dies, and nothing has freed its locks yet (its waits must be skipped). */
  killSession(sessionId: string): Promise<void>
  /** The periodic expiry (single node: `expire()`; cluster: the reaper). */
  tick(): Promise<void>
  close(): Promise<void>
}

/** Opens a service with a 60 s default TTL whose events go to `events`. */
export type OpenLockRules = (events: LockEvents) => Promise<LockRulesUnderTest>

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }
const cy = { id: 'cy', name: 'Cy' }
const dee = { id: 'dee', name: 'Dee' }
const eve = { id: 'eve', name: 'Eve' }
const key = 'b1/task/t1'

const tokenOf = (result: AcquireResult) => ('lock' in result ? result.lock.fencingToken : -1)

export function lockRulesContract(name: string, open: OpenLockRules): void {
  describe(`lock rules: ${name}`, () => {
    let current: LockRulesUnderTest | null = null
    afterEach(async () => {
      await current?.close()
      current = null
    })

    async function setup() {
      const log: string[] = []
      const events: LockEvents = {
        granted: (lock, _b, fromQueue) =>
          log.push(`granted ${lock.holder.id}${fromQueue ? ' (queue)' : ''}`),
        released: (lock, _b, reason) => log.push(`${reason} ${lock.holder.id}`),
        queued: (_k, _b, waiter, _h, position) => log.push(`queued ${waiter.id} @${position}`),
        refused: (_k, _b, who) => log.push(`refused ${who.id}`),
      }
      current = await open(events)
      const { locks } = current
      const acquire = (
        user: LockHolder,
        extra: { wait?: boolean; sessionId?: string; ttlMs?: number; requestId?: string } = {},
        on = key,
      ) =>
        locks.acquire({
          key: on,
          boardId: on.split('/')[0] as string,
          user,
          sessionId: extra.sessionId ?? null,
          ...extra,
        })
      return { ...current, locks, log, acquire }
    }

    it('[L1][L2] grants one holder; a later grant carries a larger fencing token', async () => {
      const { acquire, locks, log } = await setup()
      const first = await acquire(ann)
      await expect(acquire(bob)).rejects.toMatchObject({ code: 'locked', details: { holder: ann } })
      await locks.release(key, ann, null)
      const second = await acquire(bob)
      expect(tokenOf(second)).toBeGreaterThan(tokenOf(first))
      expect(log).toEqual(['granted ann', 'refused bob', 'released ann', 'granted bob'])
    })

    it('[L1] of simultaneous requests exactly one wins', async () => {
      const { acquire, locks } = await setup()
      const users = Array.from({ length: 8 }, (_, i) => ({ id: `u${i}`, name: `U${i}` }))
      const results = await Promise.allSettled(users.map((user) => acquire(user)))
      const winners = results.filter((r) => r.status === 'fulfilled')
      expect(winners).toHaveLength(1)
      expect((await locks.get(key))?.holder).toEqual(
        users[results.findIndex((r) => r.status === 'fulfilled')],
      )
    })

    it('[L3] only the holder renews or releases, from its own session; renew keeps the token', async () => {
      const { acquire, locks, openSession } = await setup()
      await openSession('s1', ann)
      await openSession('s2', ann)
      const granted = await acquire(ann, { sessionId: 's1', ttlMs: 10_000 })
      for (const [who, session] of [
        [bob, null],
        [ann, 's2'],
      ] as const) {
        await expect(locks.release(key, who, session)).rejects.toMatchObject({ code: 'not_holder' })
        await expect(locks.renew(key, who, session)).rejects.toMatchObject({ code: 'not_holder' })
      }
      const renewed = await locks.renew(key, ann, 's1', 50_000)
      expect(renewed.fencingToken).toBe(tokenOf(granted))
      expect(renewed.expiresAt).toBeGreaterThan(Date.now() + 40_000)
      await locks.release(key, ann, 's1')
      await expect(locks.release(key, ann, 's1')).rejects.toMatchObject({ code: 'not_holder' })
      expect(await locks.get(key)).toBeNull()
    })

    it('[L4] a lock expires when its TTL runs out, not before, and the expiry is reported', async () => {
      const { acquire, locks, log, tick } = await setup()
      const before = Date.now()
      await acquire(ann, { ttlMs: 300 })
      expect((await locks.get(key))?.holder).toEqual(ann)
      // Gone for everyone who asks as soon as its time is up, whether or not expiry has run.
      await vi.waitFor(async () => expect(await locks.get(key)).toBeNull())
      expect(Date.now() - before).toBeGreaterThanOrEqual(300)
      await tick()
      expect(log).toEqual(['granted ann', 'expired ann'])
    })

    it('[L6] serves waiters first come first served, skips dead sessions, honours cancel', async () => {
      const { acquire, locks, log, openSession, killSession } = await setup()
      await openSession('s-bob', bob)
      await openSession('s-cy', cy)
      await acquire(ann)
      expect(await acquire(bob, { wait: true, sessionId: 's-bob' })).toMatchObject({
        queued: { key, position: 1 },
      })
      expect(await acquire(cy, { wait: true, sessionId: 's-cy' })).toMatchObject({
        queued: { position: 2 },
      })
      expect(await acquire(dee, { wait: true })).toMatchObject({ queued: { position: 3 } })
      expect(await acquire(eve, { wait: true })).toMatchObject({ queued: { position: 4 } })
      // Asking again keeps the place; it does not queue twice.
      expect(await acquire(cy, { wait: true, sessionId: 's-cy' })).toMatchObject({
        queued: { position: 2 },
      })
      await killSession('s-bob')
      await locks.cancel(key, dee, null)
      await expect(locks.cancel(key, dee, null)).rejects.toMatchObject({ code: 'not_queued' })
      await locks.release(key, ann, null)
      expect((await locks.get(key))?.holder).toEqual(cy)
      await locks.release(key, cy, 's-cy')
      expect((await locks.get(key))?.holder).toEqual(eve)
      await locks.release(key, eve, null)
      expect(await locks.get(key)).toBeNull()
      expect(log).toEqual([
        'granted ann',
        'queued bob @1',
        'queued cy @2',
        'queued dee @3',
        'queued eve @4',
        'released ann',
        'granted cy (queue)',
        'released cy',
        'granted eve (queue)',
        'released eve',
      ])
    })

    it('[L6] a refusal tells the holder, its times, an estimated wait and the queue length', async () => {
      const { acquire } = await setup()
      const granted = await acquire(ann, { ttlMs: 20_000 })
      await acquire(cy, { wait: true })
      const refusal = await acquire(bob).catch((error: unknown) => error)
      const lock = 'lock' in granted ? granted.lock : null
      expect(refusal).toMatchObject({
        code: 'locked',
        details: {
          key,
          holder: ann,
          acquiredAt: lock?.acquiredAt,
          expiresAt: lock?.expiresAt,
          queueLength: 1,
        },
      })
      // The holder's remaining time plus one whole TTL for the waiter ahead.
      const { estimatedWaitMs } = (refusal as { details: { estimatedWaitMs: number } }).details
      expect(estimatedWaitMs).toBeGreaterThan(39_000)
      expect(estimatedWaitMs).toBeLessThanOrEqual(40_000)
    })

    it('[L4][L6] when a lock expires the first waiter gets it', async () => {
      const { acquire, locks, log, tick } = await setup()
      await acquire(ann, { ttlMs: 200 })
      await acquire(bob, { wait: true, ttlMs: 60_000 })
      await vi.waitFor(async () => {
        await tick()
        expect((await locks.get(key))?.holder).toEqual(bob)
      })
      expect(log).toEqual(['granted ann', 'queued bob @1', 'expired ann', 'granted bob (queue)'])
    })

    it('[L7] a retried acquire gets the first answer: no second grant, no second place', async () => {
      const { acquire, log, locks } = await setup()
      const first = await acquire(ann, { requestId: 'r1' })
      expect(await acquire(ann, { requestId: 'r1' })).toEqual(first)
      const queued = await acquire(bob, { wait: true, requestId: 'r2' })
      expect(await acquire(bob, { wait: true, requestId: 'r2' })).toEqual(queued)
      await locks.release(key, ann, null)
      // The retry still gets the first answer, even though the lock has moved on since.
      expect(await acquire(ann, { requestId: 'r1' })).toEqual(first)
      expect(log).toEqual(['granted ann', 'queued bob @1', 'released ann', 'granted bob (queue)'])
    })

    it('[L7] request ids are per session: another session reusing an id is not handed the lock', async () => {
      const { acquire, openSession } = await setup()
      await openSession('s1', ann)
      await openSession('s2', ann)
      await acquire(ann, { sessionId: 's1', requestId: 'r1' })
      await expect(acquire(ann, { sessionId: 's2', requestId: 'r1' })).rejects.toMatchObject({
        code: 'locked',
      })
    })

    it('[L7] the holder asking again keeps the lock and its token with a fresh TTL', async () => {
      const { acquire } = await setup()
      const first = await acquire(ann, { ttlMs: 5_000 })
      const again = await acquire(ann, { ttlMs: 50_000 })
      expect(tokenOf(again)).toBe(tokenOf(first))
      expect('lock' in again && again.lock.expiresAt).toBeGreaterThan(Date.now() + 40_000)
    })

    it('[L5] an ended session loses its locks and its places; the next waiter is served', async () => {
      const { acquire, locks, log, openSession } = await setup()
      await openSession('s1', ann)
      await openSession('s2', cy)
      await acquire(ann, { sessionId: 's1' })
      await acquire(ann, { sessionId: 's1' }, 'b1/task/t2')
      await acquire(cy, { sessionId: 's2' }, 'b1/task/t3')
      await acquire(ann, { sessionId: 's1', wait: true }, 'b1/task/t3')
      await acquire(bob, { wait: true })
      await locks.releaseSession('s1')
      expect((await locks.get(key))?.holder).toEqual(bob)
      expect(await locks.get('b1/task/t2')).toBeNull()
      await locks.release('b1/task/t3', cy, 's2')
      expect(await locks.get('b1/task/t3')).toBeNull()
      expect(log.filter((line) => line.startsWith('session'))).toEqual([
        'session ann',
        'session ann',
      ])
    })

    it('[L9] an owner forces a lock free; the next waiter is served', async () => {
      const { acquire, locks, log } = await setup()
      await expect(locks.forceRelease(key, dee)).rejects.toMatchObject({ code: 'not_holder' })
      const first = await acquire(ann)
      await acquire(bob, { wait: true })
      const forced = await locks.forceRelease(key, dee)
      expect(forced.holder).toEqual(ann)
      expect(forced.fencingToken).toBe(tokenOf(first))
      expect((await locks.get(key))?.holder).toEqual(bob)
      expect(log).toEqual(['granted ann', 'queued bob @1', 'forced ann', 'granted bob (queue)'])
    })

    it('[L12] a member who may no longer edit loses locks and places on those boards only', async () => {
      const { acquire, locks, log } = await setup()
      await acquire(ann, {}, 'b1/task/t1')
      await acquire(ann, {}, 'b2/task/t1')
      await acquire(cy, {}, 'b1/media/m1')
      await acquire(ann, { wait: true }, 'b1/media/m1')
      await acquire(bob, { wait: true }, 'b1/task/t1')
      await locks.releaseMember('ann', new Set(['b1']), dee)
      expect((await locks.get('b1/task/t1'))?.holder).toEqual(bob)
      expect((await locks.get('b2/task/t1'))?.holder).toEqual(ann)
      await locks.release('b1/media/m1', cy, null)
      expect(await locks.get('b1/media/m1')).toBeNull()
      expect(log.filter((line) => line.startsWith('membership'))).toEqual(['membership ann'])
    })

    it('lists a board’s locks and tells who else holds what', async () => {
      const { acquire, locks } = await setup()
      expect(await locks.lockedByOthers('b1', 'ann')).toBeNull()
      await acquire(ann, {}, 'b1/task/t1')
      await acquire(bob, {}, 'b1/thread/h1')
      await acquire(bob, {}, 'b2/task/t1')
      expect((await locks.list('b1')).map((l) => l.key).sort()).toEqual([
        'b1/task/t1',
        'b1/thread/h1',
      ])
      expect(await locks.lockedByOthers('b1', 'ann')).toEqual(new Map([['thread/h1', bob]]))
      expect(await locks.lockedByOthers('b1', 'cy')).toEqual(
        new Map([
          ['task/t1', ann],
          ['thread/h1', bob],
        ]),
      )
    })
  })
}
