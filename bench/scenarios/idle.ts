/**
 * Idle: many connections, each alone in its own small room, doing nothing once synced.
 * Measures the server's memory cost per connection (room included), which is what
 * bounds how many idle tabs one process can hold.
 */
import * as Y from 'yjs'
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import { sleep } from '../lib/async.ts'
import { rssMiB } from '../proc.ts'
import { round } from '../stats.ts'
import type { MarkOutcome, Scenario } from './types.ts'

interface Params {
  conns: number
  /** Rest before the first reading (after the rooms were made), so both start from rest. */
  restMs: number
  settleMs: number
}

export const idle: Scenario<Params> = {
  name: 'idle',
  title: 'Idle: one connection per room, memory per connection',
  notes: [
    'Each client syncs, writes one small map entry (so the room holds a real doc) and then stays idle. ' +
      "RSS is read before connecting (after a rest, once Loupe's boards are made through the API) and after all are synced plus a settle pause; the bench forces no GC on either server.",
  ],
  cases(quick) {
    const conns = quick ? 500 : 5000
    return [
      {
        label: `${conns} conns`,
        // Idle means idle: both servers get the same 15 s with nothing happening, long enough
        // for Loupe's default LOUPE_ROOM_HIBERNATE_MS (10 s) to put unchanged documents away.
        params: { conns, restMs: quick ? 3000 : 20_000, settleMs: quick ? 1500 : 15_000 },
        rooms: conns,
        timeoutMs: 180_000,
      },
    ]
  },
  rows: [
    { key: 'rssPerConnKiB', label: 'RSS per connection (KiB)', digits: 1 },
    { key: 'rssBeforeMiB', label: 'RSS before connecting (MiB)', digits: 1 },
    { key: 'rssAfterMiB', label: 'RSS after connect+settle (MiB)', digits: 1 },
    { key: 'connectMs', label: 'time to connect+sync all (ms)', digits: 0 },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
  ],
  async drive(p, urls, io) {
    // The orchestrator reads RSS; it comes back so the 'after' mark can carry it (marks are stateless).
    await sleep(p.restMs)
    const { rssBefore } = await io.mark('idle:before')
    const docs = urls.map(() => new Y.Doc())
    const fleet = await connectFleet(
      urls.map((url, i) => ({ url, opts: { doc: docs[i] } })),
      io.log,
    )
    docs.forEach((d, i) => d.getMap('meta').set('title', `idle room ${i}`))
    // The window covers the settle pause, so server CPU here is its idle overhead
    // (timers, pings) with every connection open.
    await io.windowStart()
    await sleep(p.settleMs)
    await io.windowEnd()
    const open = fleet.clients.filter((c) => c.open).length
    await io.mark('idle:after', { conns: open, rssBefore })
    await closeFleet(fleet.clients)
    return {
      conns: p.conns,
      open,
      work: open,
      workUnit: 'idle connection, over the settle window',
      connectFailed: fleet.failed,
      connectMs: round(fleet.connectMs, 0),
    }
  },
  async onMark(name, server, data): Promise<MarkOutcome> {
    if (name === 'idle:before') {
      const rss = rssMiB(server.pid)
      return { ack: { rssBefore: rss }, metrics: { rssBeforeMiB: round(rss, 1) } }
    }
    const before = typeof data.rssBefore === 'number' ? data.rssBefore : null
    const after = rssMiB(server.pid)
    const conns = typeof data.conns === 'number' ? data.conns : 0
    return {
      metrics: {
        rssAfterMiB: round(after, 1),
        rssPerConnKiB:
          after === null || before === null || conns === 0
            ? null
            : round(((after - before) * 1024) / conns, 1),
      },
    }
  },
}
