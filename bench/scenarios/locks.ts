/**
 * Locks: C clients acquire random keys and release what they were granted, over keep-alive
 * HTTP or the live socket (one session per client). Loupe only: the reference relay has no
 * lock service. Three shapes of load:
 *
 * - open loop, as users behave: each client asks at its own pace (Poisson, `ratePerClient`
 *   acquires/s), whether or not its previous answer came, holds a granted lock `holdMs`, then
 *   releases it — the offered load is stated and does not bend to the server;
 * - closed loop, to find saturation: each client asks again as soon as it has its answer,
 *   for 1 to 200 clients, so throughput and p99 can be read against each other;
 * - contention: accounts on, clients of different people on a few keys, open loop.
 *
 * Latency is request sent → reply read, per request.
 */
import { mapLimit, sleep } from '../lib/async.ts'
import { LiveClient } from '../lib/live-client.ts'
import { httpPoster } from '../lib/http-post.ts'
import type { HttpClientKind } from '../lib/http-post.ts'
import { httpOps, liveOps } from '../lib/lock-ops.ts'
import type { LockOps, Outcome } from '../lib/lock-ops.ts'
import { Histogram, round } from '../stats.ts'
import type { Case, Scenario } from './types.ts'

type Transport = 'http' | 'live'

interface Params {
  transport: Transport
  /** HTTP only; BENCH_LOCKS_HTTP_CLIENT=fetch switches to the global fetch. */
  httpClient: HttpClientKind
  clients: number
  keys: number
  /** Closed: ask again at once. Open: `ratePerClient` acquires per second, Poisson. */
  loop: 'closed' | 'open'
  ratePerClient: number
  /** Open loop: how long a granted lock is held before its release. */
  holdMs: number
  warmupMs: number
  durationMs: number
}

/** Closed-loop clients of the saturation curve. */
const CURVE = [1, 10, 50, 100, 200]
/**
 * Open-loop rates per client (acquires/s), 100 clients. The stated rate of the target is the
 * first: a person takes a lock when they open a task or a thread, so two a second each is
 * already far busier than a team of a hundred at work; the others show where latency bends.
 */
const OPEN_RATES = [2, 5, 10]

export const locks: Scenario<Params> = {
  name: 'locks',
  title: 'Locks: acquire/release of random keys — open loop, saturation curve, contention',
  loupeOnly: 'n/a (no lock service)',
  notes: [
    'Target (issue): acquire p99 ≤ 5 ms with 100 clients that pause between requests — stated rate: 100 clients × 2 acquires/s each (an open loop, Poisson arrivals), each granted lock held 20 ms then released, about 400 requests/s in all.',
    'Open loop: each client sends acquires at Poisson times, `rate` per second, without waiting for earlier answers; a granted lock is held `hold` ms, then released. The open-loop rows at 5 and 10 acquires/s per client show where latency bends. Closed loop: the next request leaves as soon as the previous reply arrives, so latency ≈ clients / throughput (Little’s law): those rows are the saturation curve (throughput against p99 as clients grow), not the latency users see.',
    'Auth is off except in the contention case, so elsewhere every client is the same user: over HTTP (no session) that user asking again for a key it holds renews it, so HTTP acquires are not refused there. Over the live socket each client is its own session, and sessions contend. In the contention case clients of 20 accounts (5 each, so different people) contend on 20 keys.',
    'HTTP client: node:http with a keep-alive Agent per client. Live request ids are unique across clients (Loupe caches acquire replies by user + request id).',
  ],
  cases(quick) {
    // An open-loop point at 2 acquires/s per client: 20 s make about 4000 acquires, so its
    // p99 is the 40th slowest and no longer a handful of requests caught by one pause; the
    // 3 s before it let the server's lock path be optimised first.
    const durationMs = quick ? 1500 : 20_000
    const warmupMs = quick ? 300 : 3000
    const httpClient: HttpClientKind =
      process.env.BENCH_LOCKS_HTTP_CLIENT === 'fetch' ? 'fetch' : 'node-http'
    const base = { keys: 1000, warmupMs, durationMs, httpClient, ratePerClient: 2, holdMs: 20 }
    // Serial round trips from one socket exceed the default 200 messages/s per connection.
    const liveEnv = { LOUPE_MSGS_PER_SEC: '1000000' }
    const cases: Case<Params>[] = []
    for (const rate of quick ? [2, 10] : OPEN_RATES)
      cases.push({
        label: `open loop, live socket, 100 clients × ${rate} acquires/s, hold 20 ms`,
        params: { ...base, transport: 'live', loop: 'open', clients: 100, ratePerClient: rate },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
        loupeEnv: liveEnv,
      })
    cases.push(
      {
        label: 'open loop, HTTP, 100 clients × 2 acquires/s, hold 20 ms',
        params: { ...base, transport: 'http', loop: 'open', clients: 100 },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
      },
      {
        label: 'contention, live socket, 20 people × 5 clients on 20 keys, 2 acquires/s each',
        params: { ...base, transport: 'live', loop: 'open', clients: 100, keys: 20 },
        rooms: 1,
        timeoutMs: durationMs + 120_000,
        loupeEnv: liveEnv,
        accounts: 20,
      },
      {
        label: 'closed loop, HTTP, 100 clients',
        params: {
          ...base,
          transport: 'http',
          loop: 'closed',
          clients: 100,
          durationMs: quick ? 1500 : 5000,
          warmupMs: quick ? 300 : 1000,
        },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
      },
    )
    // The curve: shorter windows, each point is three runs like the rest.
    const curve = { ...base, durationMs: quick ? 1000 : 3000, warmupMs: quick ? 300 : 500 }
    for (const clients of quick ? [1, 100] : CURVE)
      cases.push({
        label: `closed loop, live socket, ${clients} client${clients === 1 ? '' : 's'}`,
        params: { ...curve, transport: 'live', loop: 'closed', clients },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
        loupeEnv: liveEnv,
      })
    return cases
  },
  rows: [
    { key: 'offeredPerSec', label: 'offered acquires/s (open loop)', digits: 0 },
    { key: 'acquireP50Ms', label: 'acquire p50 (ms)' },
    { key: 'acquireP99Ms', label: 'acquire p99 (ms)' },
    { key: 'acquireMaxMs', label: 'acquire max (ms)' },
    { key: 'releaseP50Ms', label: 'release p50 (ms)' },
    { key: 'releaseP99Ms', label: 'release p99 (ms)' },
    { key: 'requestsPerSec', label: 'requests/s answered (acquire + release)', digits: 0 },
    { key: 'acquiresPerSec', label: 'acquires/s answered', digits: 0 },
    { key: 'grantedShare', label: 'acquires granted (share)', digits: 3 },
    { key: 'refusedShare', label: 'acquires refused: locked (share)', digits: 3 },
    { key: 'releaseRefused', label: 'releases refused: not_holder', digits: 0 },
    { key: 'requestErrors', label: 'requests with other errors', digits: 0 },
    { key: 'connectFailed', label: 'clients failed to connect', digits: 0 },
  ],
  async drive(p, urls, io) {
    const first = urls[0]
    if (first === undefined) throw new Error('locks needs one board')
    const room = new URL(first)
    const board = room.pathname.split('/').pop() ?? ''
    const keys = Array.from({ length: p.keys }, (_, i) => `${board}/task/k${i}`)
    // With accounts, client i is person i mod n: several clients per person, people contend.
    const tokenOf = (i: number): string | undefined =>
      io.tokens.length ? io.tokens[i % io.tokens.length] : undefined

    let connectFailed = 0
    const clients: LockOps[] = []
    if (p.transport === 'http') {
      for (let i = 0; i < p.clients; i++)
        clients.push(
          httpOps(httpPoster(`http://${room.host}`, p.httpClient, 10_000, tokenOf(i)), io.log),
        )
    } else {
      const live = await mapLimit(Array.from({ length: p.clients }), 20, (_, i) => {
        const token = tokenOf(i)
        const url = `ws://${room.host}/ws/live${token ? `?token=${token}` : ''}`
        return LiveClient.connect(url, io.log).catch((err: unknown) => {
          io.log.error(err instanceof Error ? err.message : String(err))
          return null
        })
      })
      for (const c of live) if (c) clients.push(liveOps(c))
      connectFailed = p.clients - clients.length
    }

    const acquire = new Histogram()
    const release = new Histogram()
    const counts = { granted: 0, refused: 0, releaseRefused: 0, errors: 0 }
    const errors: Record<string, number> = {}
    let measureFrom = Number.POSITIVE_INFINITY
    let measureTo = Number.POSITIVE_INFINITY
    let stop = false
    const hardStop = Math.min(
      io.deadline - 20_000,
      performance.now() + p.warmupMs + p.durationMs + 30_000,
    )
    const inWindow = (t: number) => t >= measureFrom && t < measureTo

    const onError = (o: { label?: string }): void => {
      counts.errors++
      const k = o.label ?? '?'
      errors[k] = (errors[k] ?? 0) + 1
    }
    const pick = () => keys[Math.floor(Math.random() * keys.length)] ?? ''

    /** One acquire, and its release once granted (after `holdMs`); false: stop this client. */
    const attempt = async (ops: LockOps, holdMs: number): Promise<boolean> => {
      const key = pick()
      const t0 = performance.now()
      const a = await ops.acquire(key)
      if (!a) return false
      const measured = inWindow(t0)
      if (measured) acquire.record(a.at - t0)
      if (measured && a.kind !== 'error') counts[a.kind]++
      if (a.kind === 'error') onError(a)
      if (a.kind !== 'granted') return true
      if (holdMs > 0) await sleep(holdMs)
      const t1 = performance.now()
      const r: Outcome = await ops.release(key)
      if (!r) return false
      if (inWindow(t1)) {
        release.record(r.at - t1)
        if (r.kind === 'refused') counts.releaseRefused++
      }
      if (r.kind === 'error') onError(r)
      return true
    }
    const closedLoop = async (ops: LockOps): Promise<void> => {
      while (!stop && performance.now() < hardStop) if (!(await attempt(ops, 0))) return
    }
    /** Poisson arrivals: the next one is scheduled when this one leaves, not when it returns. */
    const openLoop = async (ops: LockOps): Promise<void> => {
      const inFlight: Array<Promise<boolean>> = []
      let next = performance.now() + (-Math.log(1 - Math.random()) * 1000) / p.ratePerClient
      while (!stop && performance.now() < hardStop) {
        await sleep(Math.max(0, next - performance.now()))
        next += (-Math.log(1 - Math.random()) * 1000) / p.ratePerClient
        inFlight.push(attempt(ops, p.holdMs))
        if (inFlight.length > 64) await inFlight.shift()
      }
      await Promise.all(inFlight)
    }

    const running = Promise.all(clients.map(p.loop === 'open' ? openLoop : closedLoop))
    await sleep(p.warmupMs)
    await io.windowStart()
    measureFrom = performance.now()
    await sleep(p.durationMs)
    measureTo = performance.now()
    stop = true
    await io.windowEnd()
    await running
    await Promise.all(clients.map((c) => c.close()))

    const seconds = (measureTo - measureFrom) / 1000
    const acquires = counts.granted + counts.refused
    return {
      transport: p.transport === 'http' ? `http (${p.httpClient})` : 'live',
      loop: p.loop,
      clients: clients.length,
      people: io.tokens.length || 1,
      connectFailed,
      offeredPerSec: p.loop === 'open' ? p.clients * p.ratePerClient : null,
      acquires,
      releases: release.count,
      work: acquire.count + release.count,
      workUnit: 'lock request (acquire or release)',
      acquireP50Ms: round(acquire.quantile(0.5)),
      acquireP99Ms: round(acquire.quantile(0.99)),
      acquireMaxMs: round(acquire.count ? acquire.max : null),
      releaseP50Ms: round(release.quantile(0.5)),
      releaseP99Ms: round(release.quantile(0.99)),
      releaseMaxMs: round(release.count ? release.max : null),
      requestsPerSec: round((acquire.count + release.count) / seconds, 0),
      acquiresPerSec: round(acquire.count / seconds, 0),
      grantedShare: round(acquires ? counts.granted / acquires : null, 3),
      refusedShare: round(acquires ? counts.refused / acquires : null, 3),
      releaseRefused: counts.releaseRefused,
      requestErrors: counts.errors,
      requestErrorKinds: Object.entries(errors)
        .map(([k, v]) => `${k}×${v}`)
        .join(', '),
    }
  },
}
