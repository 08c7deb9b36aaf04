/**
 * Fan-out: one room, one writer inserting a timestamped entry every 20 ms, N receivers.
 * Measures end-to-end latency (writer's send → receiver's socket read) and completeness.
 *
 * Both servers are warmed the same way before the measured window: one second of the same
 * writes (`warmupMs`), whose latency is reported on its own as the fresh server's first
 * second. Inside the window the p99 is given whole, for its first second, and for its second
 * half (steady state), since a whole-run p99 mixes start-up with what a long session sees.
 */
import * as Y from 'yjs'
import { BenchClient } from '../lib/client.ts'
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import { every, waitUntil } from '../lib/async.ts'
import { TickDecoder, pushTick } from '../lib/ticks.ts'
import { Histogram, nowMs, round } from '../stats.ts'
import { sizesFromEnv, type Case, type Scenario } from './types.ts'

interface Params {
  receivers: number
  periodMs: number
  /** Writes before the window (same rate), not part of its figures. */
  warmupMs: number
  durationMs: number
  drainMs: number
}

/** The writer's index in ticks; receivers never write. */
const WRITER = -1

export const fanout: Scenario<Params> = {
  name: 'fanout',
  title: 'Fan-out: one room, one writer every 20 ms, N receivers',
  cases(quick) {
    const ns = sizesFromEnv('BENCH_FANOUT_N', quick, { quick: [20, 100], full: [50, 200, 1000] })
    const durationMs = quick ? 2000 : 10_000
    return ns.map((n): Case<Params> => ({
      label: `N=${n}`,
      params: { receivers: n, periodMs: 20, warmupMs: 1000, durationMs, drainMs: 3000 },
      rooms: 1,
      timeoutMs: durationMs + 90_000,
    }))
  },
  rows: [
    { key: 'latencyP50Ms', label: 'latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'latency p99, whole window (ms)' },
    { key: 'steadyP99Ms', label: 'latency p99, second half of the window (ms)' },
    { key: 'firstSecondP99Ms', label: 'latency p99, first second of the window (ms)' },
    { key: 'freshP99Ms', label: 'latency p99, warm-up second on the fresh server (ms)' },
    { key: 'latencyMaxMs', label: 'latency max (ms)' },
    { key: 'deliveredRatio', label: 'delivered / expected', digits: 4 },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
  ],
  async drive(p, urls, io) {
    const url = urls[0]
    if (url === undefined) throw new Error('fanout needs one room')
    const decoder = new TickDecoder()
    // Ticks 0 … warmTicks-1 are the warm-up; the window's ticks follow.
    const warmTicks = Math.ceil(p.warmupMs / p.periodMs)
    const windowTicks = Math.ceil(p.durationMs / p.periodMs) + 1
    const maxTicks = warmTicks + windowTicks
    const firstSecondEnd = warmTicks + Math.ceil(1000 / p.periodMs)
    const secondHalfFrom = warmTicks + Math.floor(p.durationMs / p.periodMs / 2)
    const fresh = new Histogram()
    const whole = new Histogram()
    const firstSecond = new Histogram()
    const steady = new Histogram()
    // seen[r][s]: receiver r got tick s. Dedup guards against a server replaying content.
    const seen = Array.from({ length: p.receivers }, () => new Uint8Array(maxTicks))
    let delivered = 0
    let warmDelivered = 0

    const fleet = await connectFleet(
      seen.map((mine) => ({
        url,
        opts: {
          onUpdate: (update: Uint8Array, arrivedAt: number) => {
            for (const t of decoder.decode(update)) {
              if (t.w !== WRITER || t.s >= maxTicks || mine[t.s] === 1) continue
              mine[t.s] = 1
              const ms = arrivedAt - t.t
              if (t.s < warmTicks) {
                warmDelivered++
                fresh.record(ms)
                continue
              }
              delivered++
              whole.record(ms)
              if (t.s < firstSecondEnd) firstSecond.record(ms)
              if (t.s >= secondHalfFrom) steady.record(ms)
            }
          },
        },
      })),
      io.log,
    )

    const doc = new Y.Doc()
    const writer = BenchClient.create(url, io.log, { doc })
    await writer.opened
    await writer.whenSynced(15_000)

    const warmSent = await every(p.periodMs, p.warmupMs, (s) =>
      pushTick(doc, { s, t: nowMs(), w: WRITER }),
    )
    await waitUntil(() => warmDelivered >= warmSent * p.receivers, p.drainMs)

    await io.windowStart()
    const sent = await every(p.periodMs, p.durationMs, (s) =>
      pushTick(doc, { s: warmTicks + s, t: nowMs(), w: WRITER }),
    )
    const expected = sent * p.receivers
    await waitUntil(
      () => delivered >= expected,
      Math.min(p.drainMs, io.deadline - performance.now()),
    )
    await io.windowEnd()

    await closeFleet([...fleet.clients, writer])
    return {
      receivers: p.receivers,
      connectFailed: fleet.failed,
      connectMs: round(fleet.connectMs, 0),
      sent,
      delivered,
      expected,
      work: delivered,
      workUnit: 'delivered update',
      deliveredRatio: round(expected === 0 ? null : delivered / expected, 4),
      warmDeliveredRatio: round(
        warmSent === 0 ? null : warmDelivered / (warmSent * p.receivers),
        4,
      ),
      latencyP50Ms: round(whole.quantile(0.5)),
      latencyP99Ms: round(whole.quantile(0.99)),
      steadyP99Ms: round(steady.quantile(0.99)),
      firstSecondP99Ms: round(firstSecond.quantile(0.99)),
      freshP99Ms: round(fresh.quantile(0.99)),
      latencyMaxMs: round(whole.count ? whole.max : null),
    }
  },
}
