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
 * nothing. Code that lets go of much memory at once (rooms.ts, when idle boards hibernate)
 * says so with `memoryLetGo()`: a few quicker looks follow and the first at rest collects, so
 * the memory is given back within a second rather than at a full collection that, at rest,
 * may not come.
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
  /** How soon the quick looks come after `memoryLetGo()`. */
  soonMs: number
}

/** Quick looks after `memoryLetGo()`, at most. */
const SOON_LOOKS = 4

export const heapAtRestDefaults: HeapAtRestOptions = {
  checkMs: 2000,
  restUtilization: 0.1,
  quietYoungBytes: 2 * 1024 * 1024,
  soonMs: 250,
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

export interface HeapKeeper {
  /** Looks taken so far, and full collections asked for (for tests). */
  readonly looks: number
  readonly collections: number
  stop(): void
}

export function keepHeapSmallAtRest(options: HeapAtRestOptions = heapAtRestDefaults): HeapKeeper {
  const collect = fullCollection()
  let since = performance.eventLoopUtilization()
  /** Work was done since the last collection (the start-up counts). */
  let busySince = true
  /** Collections in a row that left the young generation large; past a few, looks are skipped. */
  let refused = 0
  let skip = 0
  let looks = 0
  let collections = 0
  const look = () => {
    looks++
    const now = performance.eventLoopUtilization()
    const busy = performance.eventLoopUtilization(now, since).utilization
    since = now
    if (busy > options.restUtilization) return void (busySince = true)
    if (skip > 0) return void skip--
    if (!busySince && youngBytes() <= options.quietYoungBytes) return
    collect()
    collections++
    const largeYoung = youngBytes() > options.quietYoungBytes
    // Until V8 shrinks the young generation, the next looks try again.
    busySince = largeYoung
    refused = largeYoung ? refused + 1 : 0
    skip = Math.min(12, Math.max(0, refused - 5))
  }
  const timer = setInterval(look, options.checkMs)
  timer.unref()
  /** Quick looks left after being told memory was let go, and the next one's timer. */
  let soonLeft = 0
  let soon: NodeJS.Timeout | null = null
  const lookSoon = () => {
    soon = null
    look()
    // The young generation may take a second collection to shrink.
    if (busySince && --soonLeft > 0) soon = setTimeout(lookSoon, options.soonMs).unref()
  }
  const lettingGo = () => {
    // The work that let go of the memory is not counted against being at rest: a few quick
    // looks follow, and the first at rest collects.
    busySince = true
    since = performance.eventLoopUtilization()
    refused = 0
    skip = 0
    soonLeft = SOON_LOOKS
    soon ??= setTimeout(lookSoon, options.soonMs).unref()
  }
  letGo = lettingGo
  return {
    get looks() {
      return looks
    },
    get collections() {
      return collections
    },
    stop: () => {
      clearInterval(timer)
      if (soon) clearTimeout(soon)
      if (letGo === lettingGo) letGo = null
    },
  }
}

/** What `memoryLetGo` tells: the running keeper, if the process started one. */
let letGo: (() => void) | null = null

/**
 * Tells the keeper (if the process runs one) that much memory was just let go at once —
 * thousands of idle boards put away (rooms.ts) — so that it is given back as soon as the
 * process is at rest, rather than whenever V8 next collects the old generation,
 * which on a server at rest can be never.
 */
export function memoryLetGo(): void {
  letGo?.()
}
