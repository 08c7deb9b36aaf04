/**
 * Cold load: one client builds a board from many small updates through the socket; then
 * a fresh client fetches the full state, warm (median of a few), and after a restart on the
 * same data folder, so the fetch loads the board from storage. Loupe stores in SQLite; the
 * reference runs with its own persistence, y-leveldb (YPERSISTENCE), which is what a restart
 * of the reference can reload from (in memory it would come back empty).
 */
import * as Y from 'yjs'
import { BenchClient } from '../lib/client.ts'
import type { ClientLog } from '../lib/client.ts'
import { TICKS_KEY, TickDecoder, pushTick } from '../lib/ticks.ts'
import type { Tick } from '../lib/ticks.ts'
import { nowMs, round } from '../stats.ts'
import type { MarkOutcome, Metrics, Scenario } from './types.ts'

interface Params {
  updates: number
  /** Updates sent but not yet seen relayed; keeps the build from flooding the socket. */
  window: number
  /** Warm fetches to take the median of. */
  fetches: number
}

/** Opens a fresh client with an empty doc and times it until the last entry is present. */
async function fetchFull(
  url: string,
  log: ClientLog,
  updates: number,
): Promise<{ ms: number; bytes: number } | null> {
  const doc = new Y.Doc()
  const arr = doc.getArray<Tick>(TICKS_KEY)
  let bytes = 0
  let done: (() => void) | undefined
  const complete = new Promise<void>((r) => (done = r))
  const t0 = performance.now()
  const c = BenchClient.create(url, log, {
    doc,
    applyRemote: true,
    onUpdate: (u) => {
      bytes += u.byteLength
      // One writer pushed in order, so the last element is the last inserted entry.
      if (arr.length >= updates && arr.get(arr.length - 1).s === updates - 1) done?.()
    },
  })
  const ok = await Promise.race([
    complete.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 60_000)),
  ])
  const ms = performance.now() - t0
  await c.close()
  return ok ? { ms, bytes } : null
}

function median(xs: number[]): number | null {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? null : (s[Math.floor((s.length - 1) / 2)] ?? null)
}

export const coldload: Scenario<Params> = {
  name: 'coldload',
  title: 'Cold load: board built from small updates, then a fresh client fetches it',
  notes: [
    'Both servers are restarted on their data folder (SIGTERM, start, /readyz, then connect). The reference keeps its documents in memory and, for this scenario only, also stores every update in LevelDB with its own y-leveldb persistence (YPERSISTENCE): its "after restart" figure is that reload. Its build rate is therefore that of the persisting reference.',
  ],
  cases(quick) {
    const updates = quick ? 2000 : 20_000
    return [
      {
        label: `${updates} updates`,
        params: { updates, window: 100, fetches: 5 },
        rooms: 1,
        timeoutMs: 240_000,
        referencePersist: true,
        // One client sending as fast as the server acknowledges exceeds Loupe's default
        // 200 messages/s per connection (4429 after the 2 s burst); this scenario measures
        // loading, not rate limiting, so the limit is lifted for it.
        loupeEnv: { LOUPE_MSGS_PER_SEC: '1000000' },
      },
    ]
  },
  rows: [
    {
      key: 'coldFetchMs',
      label: 'fresh client full state after restart (ms) [reference: reloaded from y-leveldb]',
    },
    { key: 'warmFetchMs', label: 'fresh client full state, server warm (ms, median)' },
    { key: 'restartMs', label: 'restart: SIGTERM → /readyz (ms)', digits: 0 },
    { key: 'buildMs', label: 'build: all updates sent and relayed (ms)', digits: 0 },
    { key: 'buildRate', label: 'build: updates/s (window of 100 in flight)', digits: 0 },
    { key: 'stateBytes', label: 'full state received (bytes)', digits: 0 },
    { key: 'diskBytes', label: 'bytes on disk after build (db + wal + shm)', digits: 0 },
    { key: 'diskBytesAfterRestart', label: 'bytes on disk after restart', digits: 0 },
  ],
  async drive(p, urls, io) {
    const url = urls[0]
    if (url === undefined) throw new Error('coldload needs one room')
    const decoder = new TickDecoder()
    const seen = new Uint8Array(p.updates)
    let seenCount = 0
    let wake: (() => void) | undefined
    // A second client confirms each update came back out of the server (for Loupe: after
    // its commit), which paces the build and tells when the board is complete.
    const watcher = BenchClient.create(url, io.log, {
      onUpdate: (u) => {
        for (const t of decoder.decode(u)) {
          if (t.s < p.updates && seen[t.s] === 0) {
            seen[t.s] = 1
            seenCount++
          }
        }
        wake?.()
      },
    })
    const doc = new Y.Doc()
    const writer = BenchClient.create(url, io.log, { doc })
    await Promise.all([watcher.opened, writer.opened])
    await Promise.all([watcher.whenSynced(15_000), writer.whenSynced(15_000)])

    await io.windowStart()
    const t0 = performance.now()
    let sent = 0
    const buildDeadline = Math.min(io.deadline - 90_000, t0 + 120_000)
    while (seenCount < p.updates && performance.now() < buildDeadline && writer.open) {
      while (sent < p.updates && sent - seenCount < p.window) {
        pushTick(doc, { s: sent, t: nowMs(), w: 0 })
        sent++
      }
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 1000)
      })
    }
    const buildMs = performance.now() - t0
    await io.windowEnd()
    await Promise.all([writer.close(), watcher.close()])

    const out: Metrics = {
      updates: p.updates,
      sent,
      relayed: seenCount,
      work: seenCount,
      workUnit: 'update built (sent, stored, relayed)',
      buildMs: round(buildMs, 0),
      buildRate: round((seenCount * 1000) / buildMs, 0),
    }
    if (seenCount < p.updates)
      return { ...out, error: `build incomplete: ${seenCount}/${p.updates} relayed` }

    const warm: number[] = []
    for (let i = 0; i < p.fetches; i++) {
      const f = await fetchFull(url, io.log, p.updates)
      if (f) {
        warm.push(f.ms)
        out.stateBytes = f.bytes
      }
    }
    out.warmFetchMs = round(median(warm))

    const ack = await io.mark('cold:restart')
    if (ack.restarted === true) {
      const cold = await fetchFull(url, io.log, p.updates)
      out.coldFetchMs = cold ? round(cold.ms) : null
    } else {
      out.coldFetchMs = out.warmFetchMs
    }
    return out
  },
  async onMark(_name, server): Promise<MarkOutcome> {
    if (!server.dataDir) return { ack: { restarted: false } }
    const files = server.diskBytes()
    const diskBytes = Object.values(files).reduce((a, b) => a + b, 0)
    const { stopMs, startMs } = await server.restart()
    // After a graceful stop and a fresh open (e.g. once the WAL was checkpointed).
    const diskBytesAfterRestart = Object.values(server.diskBytes()).reduce((a, b) => a + b, 0)
    return {
      ack: { restarted: true },
      metrics: {
        diskBytes,
        diskBytesAfterRestart,
        diskFiles: Object.entries(files)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
        restartMs: round(stopMs + startMs, 0),
        stopMs: round(stopMs, 0),
      },
    }
  },
}
