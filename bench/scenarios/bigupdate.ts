/**
 * A large but legal update: one client sends a single update of 200,000 tiny items (about
 * 4 MB) or a tree 20,000 levels deep, while another board fans out an entry every 20 ms to 20
 * receivers and a prober asks the server for `/healthz` every 10 ms. Measures how long the
 * server keeps everything else waiting: probe latency and the other board's fan-out latency
 * over the window in which the big update is applied and relayed.
 */
import * as Y from 'yjs'
import { BenchClient } from '../lib/client.ts'
import { closeFleet, connectFleet } from '../lib/fleet.ts'
import { sleep, waitUntil } from '../lib/async.ts'
import { TickDecoder, pushTick } from '../lib/ticks.ts'
import { Histogram, nowMs, round } from '../stats.ts'
import type { Case, Scenario } from './types.ts'

interface Params {
  shape: 'wide' | 'deep'
  size: number
  receivers: number
  /** After the update: its board's clients leave, and the next this many ms are watched too. */
  unloadWatchMs: number
}

const WRITER = -1

function bigUpdate(p: Params): Uint8Array {
  const doc = new Y.Doc()
  doc.transact(() => {
    if (p.shape === 'wide') {
      const items = doc.getMap('tasks')
      for (let i = 0; i < p.size; i++) items.set(`k${i}`, i)
    } else {
      let parent: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment('notes')
      for (let i = 0; i < p.size; i++) {
        const child = new Y.XmlElement('d')
        parent.insert(0, [child])
        parent = child
      }
    }
  })
  return Y.encodeStateAsUpdate(doc)
}

/** The server's HTTP origin from a room's WebSocket URL (both servers answer /healthz). */
const httpOrigin = (url: string) => new URL(url).origin.replace(/^ws/, 'http')

export const bigupdate: Scenario<Params> = {
  name: 'bigupdate',
  title: 'One large update (200k tiny items, or a tree 20k deep) beside a busy board',
  cases(quick) {
    const wide = quick ? 40_000 : 200_000
    const deep = quick ? 5_000 : 20_000
    return [
      { shape: 'wide' as const, size: wide },
      { shape: 'deep' as const, size: deep },
    ].map((c): Case<Params> => ({
      label: `${c.shape} ${c.size}`,
      params: { ...c, receivers: 20, unloadWatchMs: quick ? 3000 : 6000 },
      rooms: 2,
      timeoutMs: 120_000,
      // The board unloads (and folds its log) soon after its clients leave, inside the watch.
      loupeEnv: { LOUPE_ROOM_IDLE_MS: '200' },
    }))
  },
  rows: [
    { key: 'updateBytes', label: 'update size (bytes)', digits: 0 },
    { key: 'appliedMs', label: 'sent → relayed whole to a watcher (ms)', digits: 0 },
    { key: 'healthP50Ms', label: '/healthz during it: p50 (ms)' },
    { key: 'healthP99Ms', label: '/healthz during it: p99 (ms)' },
    { key: 'healthMaxMs', label: '/healthz during it: max (ms)' },
    { key: 'otherP99Ms', label: 'other board fan-out during it: p99 (ms)' },
    { key: 'otherMaxMs', label: 'other board fan-out during it: max (ms)' },
    {
      key: 'unloadHealthP99Ms',
      label: 'after its clients leave (unload, compaction): /healthz p99 (ms)',
    },
    { key: 'unloadHealthMaxMs', label: 'after its clients leave: /healthz max (ms)' },
    { key: 'unloadOtherP99Ms', label: 'after its clients leave: other board fan-out p99 (ms)' },
    { key: 'unloadOtherMaxMs', label: 'after its clients leave: other board fan-out max (ms)' },
  ],
  async drive(p, urls, io) {
    const [bigUrl, otherUrl] = urls
    if (!bigUrl || !otherUrl) throw new Error('bigupdate needs two rooms')
    const update = bigUpdate(p)
    const decoder = new TickDecoder()
    // Everything is timed; what overlapped the window is picked out at the end, so a probe
    // or tick the server held back until after the update still counts (with its full wait).
    const ticks: Array<{ sent: number; latency: number }> = []
    const probes: Array<{ sent: number; latency: number }> = []
    const fleet = await connectFleet(
      Array.from({ length: p.receivers }, () => ({
        url: otherUrl,
        opts: {
          onUpdate: (u: Uint8Array, arrivedAt: number) => {
            for (const t of decoder.decode(u))
              if (t.w === WRITER) ticks.push({ sent: t.t, latency: arrivedAt - t.t })
          },
        },
      })),
      io.log,
    )
    const writerDoc = new Y.Doc()
    const writer = BenchClient.create(otherUrl, io.log, { doc: writerDoc })
    let relayedBytes = 0
    const watcher = BenchClient.create(bigUrl, io.log, {
      onUpdate: (u) => (relayedBytes += u.byteLength),
    })
    const sender = BenchClient.create(bigUrl, io.log)
    for (const client of [writer, watcher, sender]) {
      await client.opened
      await client.whenSynced(15_000)
    }
    relayedBytes = 0

    let probing = true
    const origin = httpOrigin(bigUrl)
    const probe = (async () => {
      while (probing) {
        const started = nowMs()
        const answer = await fetch(`${origin}/healthz`).catch(() => null)
        await answer?.arrayBuffer()
        probes.push({ sent: started, latency: nowMs() - started })
        await sleep(10)
      }
    })()
    const ticking = (async () => {
      for (let s = 0; probing; s++) {
        pushTick(writerDoc, { s, t: nowMs(), w: WRITER })
        await sleep(20)
      }
    })()
    await sleep(500)

    await io.windowStart()
    const sentAt = nowMs()
    sender.sendUpdate(update)
    const whole = await waitUntil(
      () => relayedBytes >= update.byteLength * 0.9,
      Math.min(60_000, io.deadline - performance.now() - 5000),
      5,
    )
    const endedAt = nowMs()
    const appliedMs = endedAt - sentAt
    await io.windowEnd()
    await sleep(300) // let what the server held back arrive
    // The big board's clients leave: Loupe unloads it and folds its log into a snapshot.
    const leftAt = nowMs()
    await closeFleet([watcher, sender])
    await sleep(p.unloadWatchMs)
    const unloadEnd = nowMs()
    probing = false
    await Promise.all([probe, ticking])
    await closeFleet([...fleet.clients, writer])
    const overlapping = (list: typeof probes, from: number, to: number) => {
      const histogram = new Histogram()
      for (const { sent, latency } of list)
        if (sent + latency >= from && sent <= to) histogram.record(latency)
      return histogram
    }
    const during = (list: typeof probes) => overlapping(list, sentAt, endedAt)
    const unloadHealth = overlapping(probes, leftAt, unloadEnd)
    const unloadOther = overlapping(ticks, leftAt, unloadEnd)
    const health = during(probes)
    const other = during(ticks)
    return {
      updateBytes: update.byteLength,
      appliedMs: whole ? round(appliedMs, 0) : null,
      healthProbes: health.count,
      healthP50Ms: round(health.quantile(0.5)),
      healthP99Ms: round(health.quantile(0.99)),
      healthMaxMs: round(health.count ? health.max : null),
      otherP99Ms: round(other.quantile(0.99)),
      otherMaxMs: round(other.count ? other.max : null),
      unloadHealthP99Ms: round(unloadHealth.quantile(0.99)),
      unloadHealthMaxMs: round(unloadHealth.count ? unloadHealth.max : null),
      unloadOtherP99Ms: round(unloadOther.quantile(0.99)),
      unloadOtherMaxMs: round(unloadOther.count ? unloadOther.max : null),
      work: 1,
      workUnit: 'large update (sent → relayed)',
    }
  },
  notes: [
    'The window runs from sending the update until a watcher on the same board has received it relayed (90 % of its bytes). Every probe and fan-out tick that overlapped the window counts, with its whole wait: one held back by a blocked server shows its full delay.',
    "Then the big board's two clients leave and the next seconds are watched the same way: Loupe (started with LOUPE_ROOM_IDLE_MS=200) unloads the board, folding its log into a snapshot; the reference keeps the document in memory.",
  ],
}
