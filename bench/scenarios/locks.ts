/**
 * Locks: C concurrent clients, each in a closed loop: pick one of K keys at random,
 * acquire it, release it if granted. Latency is request sent → reply read, per request,
 * over keep-alive HTTP or over the live socket (one session per client).
 * Loupe only: the reference relay has no lock service.
 */
import { mapLimit, sleep } from '../lib/async.ts'
import { LiveClient } from '../lib/live-client.ts'
import { httpPoster } from '../lib/http-post.ts'
import type { HttpClientKind } from '../lib/http-post.ts'
import { httpOps, liveOps } from '../lib/lock-ops.ts'
import type { LockOps } from '../lib/lock-ops.ts'
import { Histogram, round } from '../stats.ts'
import type { Case, Scenario } from './types.ts'

type Transport = 'http' | 'live'

interface Params {
  transport: Transport
  /** HTTP only; BENCH_LOCKS_HTTP_CLIENT=fetch switches to the global fetch. */
  httpClient: HttpClientKind
  clients: number
  keys: number
  warmupMs: number
  durationMs: number
}

export const locks: Scenario<Params> = {
  name: 'locks',
  title: 'Locks: concurrent clients acquire/release random keys of 1000, closed loop',
  loupeOnly: 'n/a (no lock service)',
  notes: [
    'Target (issue): acquire and release round trip p99 under 5 ms on this machine, 100 concurrent clients contending on 1000 keys.',
    'Closed loop, no think time: each client sends its next request as soon as the previous reply arrives, so one request per client is always in flight and latency ≈ clients / requests per second (Little’s law): these are latencies at saturation, not at a light load (BENCH_LOCKS_CLIENTS=1 gives the unloaded round trip).',
    'Auth is off, so every client is the same user. Over HTTP (no session) that user asking again for a key it holds gets the lock renewed, so HTTP acquires are never refused; a release is refused (not_holder) when another client released the key first. Over the live socket each client is its own session, and sessions contend.',
    'HTTP client: node:http with a keep-alive Agent (one connection per client). BENCH_LOCKS_HTTP_CLIENT=fetch uses the global fetch instead, which costs the load generator several times more CPU per request and makes it the bottleneck here.',
    'Live request ids are unique across clients: Loupe caches acquire replies by user + request id (not session), so sessions of one user reusing ids are handed each other’s replies.',
  ],
  cases(quick) {
    const durationMs = quick ? 1500 : 5000
    const warmupMs = quick ? 300 : 1000
    const clients = Number(process.env.BENCH_LOCKS_CLIENTS ?? 100)
    const httpClient: HttpClientKind =
      process.env.BENCH_LOCKS_HTTP_CLIENT === 'fetch' ? 'fetch' : 'node-http'
    const base = { clients, keys: 1000, warmupMs, durationMs, httpClient }
    return [
      {
        label: `HTTP (${httpClient}), ${clients} clients`,
        params: { ...base, transport: 'http' },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
      },
      {
        label: `live socket, ${clients} clients`,
        params: { ...base, transport: 'live' },
        rooms: 1,
        timeoutMs: durationMs + 60_000,
        // Serial round trips from one socket exceed the default 200 messages/s per connection.
        loupeEnv: { LOUPE_MSGS_PER_SEC: '1000000' },
      },
    ] satisfies Case<Params>[]
  },
  rows: [
    { key: 'acquireP50Ms', label: 'acquire p50 (ms)' },
    { key: 'acquireP99Ms', label: 'acquire p99 (ms)' },
    { key: 'acquireMaxMs', label: 'acquire max (ms)' },
    { key: 'releaseP50Ms', label: 'release p50 (ms)' },
    { key: 'releaseP99Ms', label: 'release p99 (ms)' },
    { key: 'releaseMaxMs', label: 'release max (ms)' },
    { key: 'requestsPerSec', label: 'requests/s (acquire + release)', digits: 0 },
    { key: 'acquiresPerSec', label: 'acquires/s', digits: 0 },
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

    let connectFailed = 0
    const clients: LockOps[] = []
    if (p.transport === 'http') {
      const ops = httpOps(httpPoster(`http://${room.host}`, p.httpClient), io.log)
      for (let i = 0; i < p.clients; i++) clients.push(ops)
    } else {
      const live = await mapLimit(Array.from({ length: p.clients }), 20, () =>
        LiveClient.connect(`ws://${room.host}/ws/live`, io.log).catch((err: unknown) => {
          io.log.error(err instanceof Error ? err.message : String(err))
          return null
        }),
      )
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

    const onError = (o: { label?: string }): void => {
      counts.errors++
      const k = o.label ?? '?'
      errors[k] = (errors[k] ?? 0) + 1
    }
    const loop = async (ops: LockOps): Promise<void> => {
      while (!stop && performance.now() < hardStop) {
        const key = keys[Math.floor(Math.random() * keys.length)] ?? ''
        const t0 = performance.now()
        const a = await ops.acquire(key)
        if (!a) return
        const measured = t0 >= measureFrom && t0 < measureTo
        if (measured) acquire.record(a.at - t0)
        if (measured && a.kind !== 'error') counts[a.kind]++
        if (a.kind === 'error') onError(a)
        if (a.kind !== 'granted') continue
        const t1 = performance.now()
        const r = await ops.release(key)
        if (!r) return
        if (t1 >= measureFrom && t1 < measureTo) {
          release.record(r.at - t1)
          if (r.kind === 'refused') counts.releaseRefused++
        }
        if (r.kind === 'error') onError(r)
      }
    }

    const running = Promise.all(clients.map(loop))
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
      clients: clients.length,
      connectFailed,
      acquires,
      releases: release.count,
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
