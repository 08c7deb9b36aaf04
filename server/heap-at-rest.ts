/**
 * Gives memory back when the server is at rest.
 *
 * V8 sizes its heap for the last burst — the start-up warm-up, a wave of connections or of
 * requests — and keeps that size after it. Its young generation (the new space) grows to
 * 16–32 MB and stays: on a server at rest that is a third of its resident memory. What a burst
 * left dead in the old generation stays too until the next full collection, which a server at
 * rest hardly ever makes (2000 idle sockets whose boards hibernated left 12 MB of garbage,
 * 6 KB per socket). V8 shrinks the young generation and releases emptied pages after a full
 * collection made while little is being allocated. So every few seconds this looks at the
 * event loop, and once it is at rest after having been busy, it asks V8 for one full
 * collection (a few milliseconds on a heap this size). V8 shrinks the young generation only
 * when it has seen some allocation, and little, since the collection before, so it may take a
 * few looks; if it keeps refusing, it is asked less and less often. Under load this does
 * nothing.
 *
 * It belongs to the process, not to a server (main.ts starts it): tests that run several
 * servers in one process do without it.
 */
import { performance } from 'node:perf_hooks'
import v8 from 'node:v8'
import vm from 'node:vm'

export interface HeapAtRestOptions {
  /** How often to look. */
  checkMs: number
  /** Event-loop utilisation (0–1) below which the process counts as at rest. */
  restUtilization: number
  /** Young generation a quiet server keeps (bytes); above it, a collection is worth asking for. */
  quietYoungBytes: number
}

export const heapAtRestDefaults: HeapAtRestOptions = {
  checkMs: 2000,
  restUtilization: 0.1,
  quietYoungBytes: 2 * 1024 * 1024,
}

/** The size V8 holds for the young generation now. */
function youngBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
}

/** V8's collector, which Node only exposes with --expose-gc (so set it before asking). */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc')
  return vm.runInNewContext('gc') as () => void
}

export function keepHeapSmallAtRest(options: HeapAtRestOptions = heapAtRestDefaults): {
  stop(): void
} {
  const collect = fullCollection()
  let since = performance.eventLoopUtilization()
  /** Work was done since the last collection (the start-up counts). */
  let busySince = true
  /** Collections in a row that left the young generation large; past a few, looks are skipped. */
  let refused = 0
  let skip = 0
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, since).utilization
    since = now
    if (busy > options.restUtilization) return void (busySince = true)
    if (skip > 0) return void skip--
    if (!busySince && youngBytes() <= options.quietYoungBytes) return
    collect()
    const largeYoung = youngBytes() > options.quietYoungBytes
    // Until V8 shrinks the young generation, the next looks try again.
    busySince = largeYoung
    refused = largeYoung ? refused + 1 : 0
    skip = Math.min(12, Math.max(0, refused - 5))
  }, options.checkMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
