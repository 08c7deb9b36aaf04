/**
 * Fan-out: one room, one writer inserting a timestamped entry every 20 ms, N receivers.
 * Measures end-to-end latency (writer's send → receiver's socket read) and completeness.
 */
import * as Y from 'yjs'
import { BenchClient } from '../lib/client.ts'
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import { every, waitUntil } from '../lib/async.ts'
import { TickDecoder, pushTick } from '../lib/ticks.ts'
import { Histogram, nowMs, round } from '../stats.ts'
import type { Case, Scenario } from './types.ts'

interface Params {
  receivers: number
  periodMs: number
  durationMs: number
  drainMs: number
}

/** The writer's index in ticks; receivers never write. */
const WRITER = -1

export const fanout: Scenario<Params> = {
  name: 'fanout',
  title: 'Fan-out: one room, one writer every 20 ms, N receivers',
  cases(quick) {
    const ns = process.env.BENCH_FANOUT_N
      ? process.env.BENCH_FANOUT_N.split(',').map(Number)
      : quick
        ? [20, 100]
        : [50, 200, 1000]
    const durationMs = quick ? 2000 : 10_000
    return ns.map((n): Case<Params> => ({
      label: `N=${n}`,
      params: { receivers: n, periodMs: 20, durationMs, drainMs: 3000 },
      rooms: 1,
      timeoutMs: durationMs + 90_000,
    }))
  },
  rows: [
    { key: 'latencyP50Ms', label: 'latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'latency p99 (ms)' },
    { key: 'latencyMaxMs', label: 'latency max (ms)' },
    { key: 'deliveredRatio', label: 'delivered / expected', digits: 4 },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
  ],
  async drive(p, urls, io) {
    const url = urls[0]
    if (url === undefined) throw new Error('fanout needs one room')
    const decoder = new TickDecoder()
    const hist = new Histogram()
    // seen[r][s]: receiver r got tick s. Dedup guards against a server replaying content.
    const maxTicks = Math.ceil(p.durationMs / p.periodMs) + 1
    const seen = Array.from({ length: p.receivers }, () => new Uint8Array(maxTicks))
    let delivered = 0

    const fleet = await connectFleet(
      seen.map((mine) => ({
        url,
        opts: {
          onUpdate: (update: Uint8Array, arrivedAt: number) => {
            for (const t of decoder.decode(update)) {
              if (t.w !== WRITER || t.s >= maxTicks || mine[t.s] === 1) continue
              mine[t.s] = 1
              delivered++
              hist.record(arrivedAt - t.t)
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

    await io.windowStart()
    const sent = await every(p.periodMs, p.durationMs, (s) =>
      pushTick(doc, { s, t: nowMs(), w: WRITER }),
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
      deliveredRatio: round(expected === 0 ? null : delivered / expected, 4),
      latencyP50Ms: round(hist.quantile(0.5)),
      latencyP99Ms: round(hist.quantile(0.99)),
      latencyMaxMs: round(hist.count ? hist.max : null),
    }
  },
}
