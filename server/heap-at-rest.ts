/**
 * Gives memory back when the server is at rest.
 *
 * V8 grows its young generation (the new space) to 16–32 MB while a burst allocates — the
 * start-up warm-up, a wave of connections or of requests — and keeps it that size after the
 * burst: on a server at rest that is a third of its resident memory, and it is counted against
 * every idle connection. V8 shrinks it after a full collection made while little is being
 * allocated, but a server at rest hardly ever makes one. So every few seconds this looks at
 * the event loop: if it was at rest since the last look and the young generation is larger
 * than a quiet server needs, it asks V8 for one full collection (a few milliseconds on a heap
 * this size), after which V8 shrinks it. V8 shrinks only when it has seen some allocation, and
 * little, since the collection before (a trickle of timers gives it that within seconds), so
 * it may take a few looks; if it keeps refusing, it is asked less and less often. Under load
 * this does nothing.
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
  restUtilization: 0.05,
  quietYoungBytes: 4 * 1024 * 1024,
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
  /** Collections in a row that V8 did not follow with a shrink; past a few, looks are skipped. */
  let refused = 0
  let skip = 0
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, since).utilization
    since = now
    if (skip > 0) return void skip--
    if (busy > options.restUtilization || youngBytes() <= options.quietYoungBytes) return
    collect()
    refused = youngBytes() <= options.quietYoungBytes ? 0 : refused + 1
    skip = Math.min(12, Math.max(0, refused - 5))
  }, options.checkMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
