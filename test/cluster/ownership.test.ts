/**
 * Board ownership leases (docs/cluster.md, "Board ownership"): one owner among racing nodes,
 * takeover once the owner's lease lapses or its node is gone, self-fencing of an owner that
 * cannot renew (paused, or cut off from Redis) before anyone else can take over, and release
 * on unload. Every node is its own connection; the PostgreSQL epoch bump is a recorded callback.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  BoardOwnership,
  realTicker,
  type OwnershipLoss,
  type Ticker,
} from '../../server/cluster/redis/ownership.ts'
import { skipWithoutRedis } from './redis.ts'
import { connect, uniquePrefix, useRedis } from './redis-nodes.ts'
import { startTcpProxy } from './tcp-proxy.ts'

const LEASE = 600

/** A ticker that stops ticking while paused, as every timer of a stopped (SIGSTOP) process would. */
function pausableTicker(): Ticker & { paused: boolean } {
  const ticker = {
    paused: false,
    every(ms: number, tick: () => void) {
      return realTicker.every(ms, () => {
        if (!ticker.paused) tick()
      })
    },
  }
  return ticker
}

describe.skipIf(skipWithoutRedis)('board ownership', () => {
  const redis = useRedis()
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (stops.length > 0) await stops.pop()?.()
  })

  async function node(
    nodeId: string,
    prefix: string,
    options: {
      url?: string
      leaseMs?: number
      nodeTtlMs?: number
      ticker?: Ticker
      monotonic?: () => number
      /** The epoch bump (PostgreSQL) completes when this settles. */
      bump?: Promise<void>
    } = {},
  ) {
    const connection = await connect(options.url ?? redis.server.url, prefix)
    const epochs: string[] = []
    const lost: Array<[string, OwnershipLoss, number]> = []
    const ownership = new BoardOwnership({
      connection,
      nodeId,
      leaseMs: options.leaseMs ?? LEASE,
      nodeTtlMs: options.nodeTtlMs ?? 2000,
      nodeRefreshMs: Math.min(400, (options.nodeTtlMs ?? 2000) / 3),
      takeOwnership: async (boardId) => {
        await options.bump
        epochs.push(boardId)
        return epochs.length
      },
      ticker: options.ticker,
      monotonic: options.monotonic,
    })
    ownership.onLost((boardId, why) => lost.push([boardId, why, Date.now()]))
    await ownership.start()
    stops.push(() => ownership.stop())
    return { ownership, epochs, lost, connection, prefix }
  }

  it('gives each board one owner among racing nodes, and bumps its epoch once', async () => {
    const prefix = uniquePrefix()
    const nodes = await Promise.all(['n1', 'n2', 'n3'].map((id) => node(id, prefix)))
    const boards = ['b1', 'b2', 'b3', 'b4', 'b5']
    for (const board of boards) {
      const results = await Promise.all(nodes.map((n) => n.ownership.claim(board)))
      const owners = results.flatMap((r, i) => (r.owned ? [`n${i + 1}`] : []))
      expect(owners).toHaveLength(1)
      for (const r of results) if (!r.owned) expect(r.owner).toBe(owners[0])
      expect(await nodes[0]?.ownership.ownerOf(board)).toBe(owners[0])
    }
    expect(nodes.flatMap((n) => n.epochs).sort()).toEqual(boards)
    // One node asking twice at once makes one claim.
    const [n1] = nodes as [(typeof nodes)[number]]
    const twice = await Promise.all([n1.ownership.claim('b9'), n1.ownership.claim('b9')])
    expect(twice[0]).toEqual(twice[1])
    expect(n1.epochs.filter((b) => b === 'b9')).toEqual(['b9'])
    boards.push('b9')
    // Renewals keep a lease for several lease periods: nobody else gets in meanwhile.
    const owner = await nodes[0]?.ownership.ownerOf('b1')
    const other = nodes.find((n) => !n.ownership.owns('b1'))
    const started = Date.now()
    await vi.waitFor(
      async () => {
        expect(await other?.ownership.claim('b1')).toEqual({ owned: false, owner })
        expect(Date.now() - started).toBeGreaterThan(3 * LEASE)
      },
      { timeout: 5 * LEASE, interval: LEASE / 4 },
    )
    expect(nodes.flatMap((n) => n.epochs)).toHaveLength(boards.length)
    expect(nodes.flatMap((n) => n.lost)).toEqual([])
  })

  it('hands a board over once its owner’s lease lapsed, and at once when the owner restarted', async () => {
    const prefix = uniquePrefix()
    const pausedTicker = pausableTicker()
    const a = await node('a', prefix, { ticker: pausedTicker })
    const b = await node('b', prefix)
    expect(await a.ownership.claim('b1')).toMatchObject({ owned: true })
    // Held past its first lease by renewals, then the owner dies: no more renewals, no release.
    const claimed = Date.now()
    await vi.waitFor(
      async () => {
        expect(await b.ownership.claim('b1')).toEqual({ owned: false, owner: 'a' })
        expect(Date.now() - claimed).toBeGreaterThan(LEASE)
      },
      { timeout: 3 * LEASE, interval: LEASE / 4 },
    )
    pausedTicker.paused = true
    const died = Date.now()
    await vi.waitFor(
      async () => expect(await b.ownership.claim('b1')).toMatchObject({ owned: true }),
      {
        timeout: 3 * LEASE,
      },
    )
    // Its last renewal was at most lease/5 before it stopped.
    expect(Date.now() - died).toBeGreaterThanOrEqual(LEASE - LEASE / 5 - 50)
    expect(b.epochs).toEqual(['b1'])

    // A long lease, and its owner restarts under the same node id: its old incarnation's
    // leases are dead at once, without waiting for them to lapse.
    const c = await node('c', prefix, { leaseMs: 60_000 })
    expect(await c.ownership.claim('b2')).toMatchObject({ owned: true })
    await node('c', prefix, { leaseMs: 60_000 })
    expect(await b.ownership.claim('b2')).toMatchObject({ owned: true })
    await vi.waitFor(() => expect(c.lost).toEqual([['b2', 'replaced', expect.any(Number)]]))
  })

  it('a paused owner loses the lease to another node and is told as soon as it runs again', async () => {
    const prefix = uniquePrefix()
    const ticker = pausableTicker()
    const a = await node('a', prefix, { ticker })
    const b = await node('b', prefix)
    expect(await a.ownership.claim('b1')).toMatchObject({ owned: true })
    ticker.paused = true
    await vi.waitFor(
      async () => expect(await b.ownership.claim('b1')).toMatchObject({ owned: true }),
      {
        timeout: 3 * LEASE,
      },
    )
    // Paused, it cannot know yet; it still believes it owns the board.
    expect(a.ownership.owns('b1')).toBe(true)
    ticker.paused = false
    // Its first check after the pause renews at once, and the answer says the lease is b's.
    await vi.waitFor(() =>
      expect(a.lost.map(([board, why]) => [board, why])).toEqual([['b1', 'taken']]),
    )
    expect(a.ownership.owns('b1')).toBe(false)
    expect(await b.ownership.ownerOf('b1')).toBe('b')
    expect(b.ownership.owns('b1')).toBe(true)
  })

  it('an owner cut off from Redis stops serving after lease/2, before anyone can take over', async () => {
    const prefix = uniquePrefix()
    const proxy = await startTcpProxy(redis.server.port)
    try {
      const a = await node('a', prefix, { url: proxy.url })
      const b = await node('b', prefix)
      expect(await a.ownership.claim('b1')).toMatchObject({ owned: true })
      proxy.cut()
      const cut = Date.now()
      await vi.waitFor(() => expect(a.lost).toHaveLength(1), { timeout: 2 * LEASE })
      const [board, why, fencedAt] = a.lost[0] as [string, OwnershipLoss, number]
      expect([board, why]).toEqual(['b1', 'fenced'])
      // Fenced at lease/2 after the last renewal, which was at most lease/5 before the cut.
      expect(fencedAt - cut).toBeLessThanOrEqual(LEASE / 2 + 100)
      let takenAt = 0
      await vi.waitFor(
        async () => {
          expect(await b.ownership.claim('b1')).toMatchObject({ owned: true })
          takenAt = Date.now()
        },
        { timeout: 3 * LEASE },
      )
      expect(takenAt).toBeGreaterThan(fencedAt)
      expect(takenAt - cut).toBeGreaterThanOrEqual(LEASE - LEASE / 5 - 50)
    } finally {
      await proxy.close()
    }
  })

  it('keeps a lease alive while its epoch bump waits, and serves the board once it is done', async () => {
    const prefix = uniquePrefix()
    // A longer lease than the other tests': renewals must keep up for several of them, and
    // this suite shares two cores with others.
    const lease = 1000
    let bumped = () => {}
    const a = await node('a', prefix, {
      leaseMs: lease,
      bump: new Promise((resolve) => (bumped = resolve)),
    })
    const b = await node('b', prefix, { leaseMs: lease })
    const claim = a.ownership.claim('b1')
    // The lease is a's before b asks (two connections: b's claim could otherwise come first).
    await vi.waitFor(async () => expect(await b.ownership.ownerOf('b1')).toBe('a'))
    // The bump takes over two leases (PostgreSQL busy with a thousand boards): the lease is
    // renewed meanwhile, so nobody else takes the board.
    const started = Date.now()
    await vi.waitFor(
      async () => {
        expect(await b.ownership.claim('b1')).toEqual({ owned: false, owner: 'a' })
        expect(Date.now() - started).toBeGreaterThan(2.2 * lease)
      },
      { timeout: 5 * lease, interval: lease / 4 },
    )
    bumped()
    expect(await claim).toMatchObject({ owned: true })
    // And it is not fenced as soon as it is served: its last renewal is recent.
    const served = Date.now()
    await vi.waitFor(
      () => {
        expect(a.ownership.owns('b1')).toBe(true)
        expect(Date.now() - served).toBeGreaterThan(lease)
      },
      { timeout: 3 * lease, interval: lease / 4 },
    )
    expect(a.lost).toEqual([])
  })

  describe('after a stall (its clock and its checks in the test’s hands)', () => {
    // Long enough that nothing lapses in Redis while the test runs: only the node's own clock
    // (the test's) decides when it fences.
    const lease = 60_000
    const period = lease / 10

    async function stalling(url?: string) {
      let clock = 0
      const ticks = new Map<number, () => void>()
      const a = await node('a', uniquePrefix(), {
        url,
        leaseMs: lease,
        nodeTtlMs: 100 * lease,
        monotonic: () => clock,
        ticker: { every: (ms, tick) => (ticks.set(ms, tick), () => ticks.delete(ms)) },
      })
      // Every renewal the node sends, to wait for its answer.
      const renewals: Array<Promise<unknown>> = []
      const fcall = a.connection.fcall.bind(a.connection)
      a.connection.fcall = (name, args) => {
        const call = fcall(name, args)
        if (name === 'lease_renew_many') renewals.push(call.catch(() => undefined))
        return call
      }
      /** Moves the clock by `ms` and runs the fence check (renewing when it is due), answered. */
      const check = async (ms: number) => {
        clock += ms
        ticks.get(period)?.()
        await Promise.all(renewals)
      }
      expect(await a.ownership.claim('b1')).toMatchObject({ owned: true })
      await check(period)
      return { ...a, check }
    }

    it('renews at once after a stall, and keeps a lease still its own in Redis', async () => {
      const a = await stalling()
      // Blocked for 0.65 of the lease: the last renewal is 0.65 of it old when the check runs.
      await a.check(0.65 * lease)
      expect(a.lost).toEqual([])
      // Renewed as the stall ended: the next checks find it fresh.
      await a.check(period)
      await a.check(period)
      expect(a.lost).toEqual([])
      // Past the lease on the node's clock (a loop starved of timers for seconds under load):
      // the lease in Redis is still its own, so the renewal keeps it.
      await a.check(1.5 * lease)
      await a.check(period)
      expect(a.lost).toEqual([])
      expect(a.ownership.owns('b1')).toBe(true)
    })

    it('takes back a lease that lapsed during the stall when nobody took it meanwhile', async () => {
      const a = await stalling()
      await a.connection.client.del(a.connection.keys.owner('b1'))
      await a.check(1.5 * lease)
      await a.check(period)
      expect(a.lost).toEqual([])
      expect(a.ownership.owns('b1')).toBe(true)
      expect(await a.ownership.ownerOf('b1')).toBe('a')
    })

    it('loses a lease another node took during the stall, as taken, on the renewal’s answer', async () => {
      const a = await stalling()
      const b = await node('b', a.prefix)
      // The lease lapsed during the stall and b claimed the board.
      await a.connection.client.del(a.connection.keys.owner('b1'))
      expect(await b.ownership.claim('b1')).toMatchObject({ owned: true })
      await a.check(1.5 * lease)
      expect(a.lost.map(([board, why]) => [board, why])).toEqual([['b1', 'taken']])
      expect(a.ownership.owns('b1')).toBe(false)
      expect(await b.ownership.ownerOf('b1')).toBe('b')
    })

    /** A stalling node whose connection to Redis is then cut: no renewal answers. */
    async function cutOff() {
      const proxy = await startTcpProxy(redis.server.port)
      const a = await stalling(proxy.url)
      // Closed before the node stops (stops run last-in first).
      stops.push(() => proxy.close())
      proxy.cut()
      return a
    }

    it('fences once its checks have run on time for lease/2 and the renewal has not answered', async () => {
      const a = await cutOff()
      await a.check(0.65 * lease)
      expect(a.lost).toEqual([])
      // Stalled again (each check late, the answer to the last renewal maybe still unread).
      await a.check(0.65 * lease)
      expect(a.lost).toEqual([])
      // An overloaded loop runs a few checks on time between its stalls, with the answers
      // still waiting behind its socket reads: not yet a reason to fence.
      for (let i = 0; i < 4; i++) await a.check(period)
      await a.check(0.65 * lease)
      for (let i = 0; i < 4; i++) await a.check(period)
      expect(a.lost).toEqual([])
      // lease/2 of checks on time since the last stall, and still no answer.
      await a.check(period)
      expect(a.lost.map(([board, why]) => [board, why])).toEqual([['b1', 'fenced']])
    })

    it('fences at once after a stall of ten leases without an answer', async () => {
      const a = await cutOff()
      await a.check(10 * lease)
      expect(a.lost.map(([board, why]) => [board, why])).toEqual([['b1', 'fenced']])
    })
  })

  it('releases a board on unload: another node takes it at once', async () => {
    const prefix = uniquePrefix()
    const a = await node('a', prefix)
    const b = await node('b', prefix)
    expect(await a.ownership.claim('b1')).toMatchObject({ owned: true })
    expect(await b.ownership.claim('b1')).toMatchObject({ owned: false })
    await a.ownership.release('b1')
    expect(a.ownership.owns('b1')).toBe(false)
    expect(await a.ownership.ownerOf('b1')).toBeNull()
    expect(await b.ownership.claim('b1')).toMatchObject({ owned: true })
    expect(a.lost).toEqual([])
  })
})
