/**
 * Baseline: a server at rest with nothing asked of it yet — memory from the start and after
 * a rest. It is what every other figure sits on, and what a home machine pays for an idle
 * server. Loupe runs as `npm start` runs it (the compiled build), the reference as plain
 * JavaScript; nothing is created on either.
 */
import { sleep } from '../lib/async.ts'
import { rssMiB } from '../proc.ts'
import { round } from '../stats.ts'
import type { MarkOutcome, Scenario } from './types.ts'

interface Params {
  restMs: number
}

export const baseline: Scenario<Params> = {
  name: 'baseline',
  title: 'Baseline: memory at rest, nothing connected or created',
  notes: [
    '"at start" is read as soon as the load generator runs (about a second after the server answered /readyz); "at rest" after the rest pause. The bench forces no GC on either server.',
  ],
  cases(quick) {
    const restMs = quick ? 5000 : 20_000
    return [
      {
        label: `rest ${restMs / 1000} s`,
        params: { restMs },
        rooms: 0,
        timeoutMs: restMs + 30_000,
      },
    ]
  },
  rows: [
    { key: 'rssStartMiB', label: 'RSS at start (MiB)', digits: 1 },
    { key: 'rssRestMiB', label: 'RSS at rest (MiB)', digits: 1 },
  ],
  async drive(p, _urls, io) {
    await io.mark('baseline:start')
    await io.windowStart()
    await sleep(p.restMs)
    await io.windowEnd()
    await io.mark('baseline:rest')
    return {}
  },
  async onMark(name, server): Promise<MarkOutcome> {
    const rss = round(rssMiB(server.pid), 1)
    return { metrics: name === 'baseline:start' ? { rssStartMiB: rss } : { rssRestMiB: rss } }
  },
}
