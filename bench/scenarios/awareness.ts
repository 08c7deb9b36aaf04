/**
 * Awareness storm: every client of one room moves its cursor at 10 Hz. Measures the
 * latency of awareness relays and whether every receiver ends up with every sender's
 * latest state, which is what users see (a server may coalesce intermediate states).
 */
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import { decodeAwarenessPayload } from '../lib/protocol.ts'
import { every, sleep, waitUntil } from '../lib/async.ts'
import { Histogram, nowMs, round } from '../stats.ts'
import type { Scenario } from './types.ts'

interface Params {
  clients: number
  hz: number
  /** The same storm before the window, not counted (both servers warmed alike). */
  warmupMs: number
  durationMs: number
  settleMs: number
}

const TICK_MS = 10
/** Awareness client ids are BASE + index, so a receiver maps an entry to its sender in O(1). */
const BASE_ID = 100_000

interface Seen {
  idx: number
  clock: number
  /** Send time from the state's `t`; NaN for states without one (e.g. removals). */
  t: number
}

export const awareness: Scenario<Params> = {
  name: 'awareness',
  title: 'Awareness storm: one room, every client sets its cursor at 10 Hz',
  notes: [
    '"latest state delivered" = share of receivers that, within 3 s after the storm, hold every other client\'s final clock and `t`. ' +
      '"relays / sent×(N−1)" below 1 can be legitimate coalescing.',
  ],
  cases(quick) {
    const clients = quick ? 50 : 200
    const durationMs = quick ? 2000 : 10_000
    return [
      {
        label: `${clients} clients`,
        params: { clients, hz: 10, warmupMs: 1000, durationMs, settleMs: 3000 },
        rooms: 1,
        timeoutMs: durationMs + 120_000,
      },
    ]
  },
  rows: [
    { key: 'latencyP50Ms', label: 'awareness latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'awareness latency p99 (ms)' },
    { key: 'latestShare', label: 'receivers with every latest state', digits: 4 },
    { key: 'relayRatio', label: 'relays / sent×(N−1)', digits: 4 },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
  ],
  async drive(p, urls, io) {
    const url = urls[0]
    if (url === undefined) throw new Error('awareness needs one room')
    const n = p.clients
    const hist = new Histogram()
    // Flat n×n tables: row = receiver, column = sender.
    const gotClock = new Int32Array(n * n)
    const gotT = new Float64Array(n * n)
    let relays = 0
    let measuring = false
    // Relays are byte-identical across receivers, so parse each distinct payload once.
    const cache = new Map<string, Seen[]>()
    const parse = (payload: Uint8Array): Seen[] => {
      const key = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString(
        'latin1',
      )
      let hit = cache.get(key)
      if (!hit) {
        hit = decodeAwarenessPayload(payload).map((e) => {
          const state = JSON.parse(e.json) as { t?: unknown } | null
          return {
            idx: e.clientId - BASE_ID,
            clock: e.clock,
            t: typeof state?.t === 'number' ? state.t : Number.NaN,
          }
        })
        if (cache.size > 50_000) cache.clear()
        cache.set(key, hit)
      }
      return hit
    }

    const fleet = await connectFleet(
      Array.from({ length: n }, (_, r) => ({
        url,
        opts: {
          onAwareness: (payload: Uint8Array, arrivedAt: number) => {
            for (const e of parse(payload)) {
              if (e.idx < 0 || e.idx >= n || e.idx === r || Number.isNaN(e.t)) continue
              relays++
              if (measuring) hist.record(arrivedAt - e.t)
              const k = r * n + e.idx
              if (e.clock > (gotClock[k] ?? 0)) {
                gotClock[k] = e.clock
                gotT[k] = e.t
              }
            }
          },
        },
      })),
      io.log,
    )

    const clock = new Int32Array(n)
    const lastT = new Float64Array(n)
    const slots = Math.max(1, Math.round(1000 / p.hz / TICK_MS))
    const storm = (tick: number): void => {
      for (let i = tick % slots; i < n; i += slots) {
        const c = fleet.clients[i]
        if (!c) continue
        const t = nowMs()
        // Clocks start at 1 so 0 in gotClock means "nothing received".
        clock[i] = (clock[i] ?? 0) + 1
        lastT[i] = t
        const cursor = {
          x: Math.round(Math.random() * 1000) / 1000,
          y: Math.round(Math.random() * 1000) / 1000,
        }
        c.setAwareness({
          clientId: BASE_ID + i,
          clock: clock[i] ?? 0,
          json: JSON.stringify({ cursor, t }),
        })
      }
    }
    await every(TICK_MS, p.warmupMs, storm)
    await sleep(500)
    const warmSent = clock.reduce((a, b) => a + b, 0)
    const warmRelays = relays
    await io.windowStart()
    measuring = true
    await every(TICK_MS, p.durationMs, storm)
    const sent = clock.reduce((a, b) => a + b, 0) - warmSent

    const complete = (r: number): boolean => {
      for (let s = 0; s < n; s++) {
        if (s === r) continue
        const k = r * n + s
        if (gotClock[k] !== clock[s] || gotT[k] !== lastT[s]) return false
      }
      return true
    }
    const countComplete = (): number => {
      let ok = 0
      for (let r = 0; r < n; r++) if (complete(r)) ok++
      return ok
    }
    await waitUntil(
      () => countComplete() === n,
      Math.min(p.settleMs, io.deadline - performance.now()),
      50,
    )
    measuring = false
    await io.windowEnd()
    const latest = countComplete()
    await closeFleet(fleet.clients)
    const windowRelays = relays - warmRelays

    return {
      clients: n,
      connectFailed: fleet.failed,
      sent,
      relays: windowRelays,
      work: windowRelays,
      workUnit: 'state delivered to a receiver',
      relayRatio: round(sent === 0 ? null : windowRelays / (sent * (n - 1)), 4),
      latestShare: round(latest / n, 4),
      latencyP50Ms: round(hist.quantile(0.5)),
      latencyP99Ms: round(hist.quantile(0.99)),
      latencyMaxMs: round(hist.count ? hist.max : null),
    }
  },
}
