/**
 * Many rooms: R rooms × 5 clients, every client writing one timestamped entry per second
 * (phases staggered so the load is smooth). Measures the delivery rate the server
 * sustains and the latency tail while it is spread over many small rooms.
 */
import * as Y from 'yjs'
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import type { FleetSpec } from '../lib/fleet.ts'
import { every, sleep, waitUntil } from '../lib/async.ts'
import { TickDecoder, pushTick } from '../lib/ticks.ts'
import { Histogram, nowMs, round } from '../stats.ts'
import type { Scenario } from './types.ts'

interface Params {
  rooms: number
  perRoom: number
  periodMs: number
  /** The same writes before the window, not counted (both servers warmed alike). */
  warmupMs: number
  durationMs: number
  drainMs: number
  /**
   * Cluster (`proxied`): this many of each room's clients connect to a second node, after the
   * others made the first node the board's owner; `urls` then holds each room's URL on the
   * first node, then on the second. Latency is also reported by where the receiver sits.
   */
  relayed?: number
}

/** Scheduler tick; each tick a 1/slots share of the clients writes. */
const TICK_MS = 10

export const rooms: Scenario<Params> = {
  name: 'rooms',
  title: 'Many rooms: rooms × 5 clients, each client 1 update/s',
  cases(quick) {
    const r = quick ? 100 : 1000
    const durationMs = quick ? 2000 : 10_000
    return [
      {
        label: `${r} rooms × 5`,
        params: { rooms: r, perRoom: 5, periodMs: 1000, warmupMs: 1000, durationMs, drainMs: 3000 },
        rooms: r,
        timeoutMs: durationMs + 120_000,
      },
    ]
  },
  rows: [
    { key: 'targetRate', label: 'target deliveries/s', digits: 0 },
    { key: 'achievedRate', label: 'achieved deliveries/s (while sending)', digits: 0 },
    { key: 'deliveredRatio', label: 'delivered / expected (after drain)', digits: 4 },
    { key: 'latencyP50Ms', label: 'latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'latency p99 (ms)' },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
    { key: 'connectMs', label: 'time to connect+sync all (ms)', digits: 0 },
  ],
  async drive(p, urls, io) {
    const n = p.rooms * p.perRoom
    const decoder = new TickDecoder()
    const hist = new Histogram()
    const relayed = p.relayed ?? 0
    /** A client on the second node (relayed to the owner): the last `relayed` of its room. */
    const onSecond = (i: number): boolean => i % p.perRoom >= p.perRoom - relayed
    const byReceiver = { owner: new Histogram(), relayed: new Histogram() }
    let delivered = 0
    let deliveredWhileSending = 0
    let sending = false
    /** Entries written before this (the warm-up) are not counted. */
    let windowFrom = Number.POSITIVE_INFINITY
    // Each client keeps a local-only doc: its updates reference only its own items, so
    // they stay valid without applying anyone else's (which would cost a Y.Doc apply per
    // delivery in this process).
    const docs = Array.from({ length: n }, () => new Y.Doc())
    const specs: FleetSpec[] = docs.map((doc, i) => {
      const seen = new Set<number>()
      return {
        url: urls[Math.floor(i / p.perRoom) + (onSecond(i) ? p.rooms : 0)] ?? '',
        opts: {
          doc,
          onUpdate: (update: Uint8Array, arrivedAt: number) => {
            for (const t of decoder.decode(update)) {
              // Skip own echoes (the reference relays to the sender too) and duplicates.
              const key = t.w * 1_000_000 + t.s
              if (t.w === i || seen.has(key)) continue
              seen.add(key)
              if (t.t < windowFrom) continue
              delivered++
              if (sending) deliveredWhileSending++
              hist.record(arrivedAt - t.t)
              if (relayed > 0) byReceiver[onSecond(i) ? 'relayed' : 'owner'].record(arrivedAt - t.t)
            }
          },
        },
      }
    })
    // The owner's clients first, so the first node claims every board before the others come.
    const fleet = await connectFleet(
      specs.filter((_, i) => !onSecond(i)),
      io.log,
    )
    if (relayed > 0) {
      const second = await connectFleet(
        specs.filter((_, i) => onSecond(i)),
        io.log,
      )
      fleet.clients.push(...second.clients)
      fleet.failed += second.failed
      fleet.connectMs += second.connectMs
    }
    const seq = new Uint32Array(n)
    const slots = Math.max(1, Math.round(p.periodMs / TICK_MS))
    const write = (tick: number): void => {
      const t = nowMs()
      for (let i = tick % slots; i < n; i += slots) {
        const s = seq[i] ?? 0
        seq[i] = s + 1
        const doc = docs[i]
        if (doc) pushTick(doc, { s, t, w: i })
      }
    }
    await every(TICK_MS, p.warmupMs, write)
    await sleep(500)
    const warmSent = seq.reduce((a, b) => a + b, 0)

    await io.windowStart()
    windowFrom = nowMs()
    sending = true
    const t0 = performance.now()
    await every(TICK_MS, p.durationMs, write)
    const sendSeconds = (performance.now() - t0) / 1000
    sending = false
    const sent = seq.reduce((a, b) => a + b, 0) - warmSent
    const expected = sent * (p.perRoom - 1)
    await waitUntil(
      () => delivered >= expected,
      Math.min(p.drainMs, io.deadline - performance.now()),
    )
    await io.windowEnd()
    await closeFleet(fleet.clients)

    return {
      clients: n,
      connectFailed: fleet.failed,
      connectMs: round(fleet.connectMs, 0),
      sent,
      expected,
      delivered,
      work: delivered,
      workUnit: 'delivered update',
      targetRate: round((n * (p.perRoom - 1) * 1000) / p.periodMs, 0),
      achievedRate: round(deliveredWhileSending / sendSeconds, 0),
      deliveredRatio: round(expected === 0 ? null : delivered / expected, 4),
      latencyP50Ms: round(hist.quantile(0.5)),
      latencyP99Ms: round(hist.quantile(0.99)),
      latencyMaxMs: round(hist.count ? hist.max : null),
      ...(relayed > 0 && {
        latencyOwnerP99Ms: round(byReceiver.owner.quantile(0.99)),
        latencyRelayedP50Ms: round(byReceiver.relayed.quantile(0.5)),
        latencyRelayedP99Ms: round(byReceiver.relayed.quantile(0.99)),
      }),
    }
  },
}
