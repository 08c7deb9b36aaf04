/**
 * The update worker: one thread (update-worker.mjs) for the Yjs work too long for the event
 * loop, so a legal but huge board never holds it. It decodes and slices large updates (the
 * first and costliest step of checking one) and folds and proves a board's log for compaction
 * (storage/sqlite-doc-store.ts). Started on first use; never keeps the process alive by itself.
 * It runs at a lower priority than the event loop (thread-priority.ts).
 */
import { Worker } from 'node:worker_threads'
import type { StoredDoc } from '../storage/doc-store.ts'
import { BACKGROUND_NICE, startLowered } from '../thread-priority.ts'

/**
 * Updates larger than this are sliced off the event loop. An update of tiny items costs about
 * 5 µs per struct to decode and apply, and carries about one struct per 20 bytes: at 32 KiB
 * an inline update costs under 10 ms.
 */
export const LARGE_UPDATE_BYTES = 32 * 1024
/** Structs per slice: small, so a turn applies as many slices as fit its time budget (room.ts). */
export const SLICE_STRUCTS = 100

/**
 * The thread stops after this long without work: it costs about 10 MB of memory (its own V8
 * heap, Yjs loaded) and starts again in a few tens of milliseconds when next needed.
 */
export const WORKER_IDLE_MS = 10_000
/**
 * A thread needed again soon after it stopped was stopped too early: each start costs about
 * 150 ms of CPU (a fresh isolate loading its modules) and runs its first jobs on cold code,
 * about twice as slow (a board of 500 rows compacting every ten seconds restarted it for every
 * fold). Started again within this many idle spells of stopping, it waits twice as long the
 * next time, up to WORKER_MAX_IDLE_MS; stopped for longer than that, it is back to the base.
 */
const SOON_AFTER_STOP = 6
export const WORKER_MAX_IDLE_MS = 5 * 60_000

/** A stored board folded into one state, every row proven contained in it. */
export interface Folded {
  state: Uint8Array
  stateVector: Uint8Array
}

interface Job {
  resolve: (answer: Answer) => void
  reject: (error: Error) => void
  /** The thread doing it (a stopped idle thread's exit must not fail its successor's jobs). */
  worker: Worker
}

type Answer =
  | { id: number; slices: Uint8Array[] }
  | { id: number; folded: Folded | null }
  | { id: number; error: string }

export class UpdateWorker {
  private worker: Worker | null = null
  private readonly jobs = new Map<number, Job>()
  private nextId = 1
  private idleTimer: NodeJS.Timeout | null = null
  /** How long the running thread waits without work before it stops. */
  private idleMs: number
  private stoppedAt: number | null = null

  /** `maxStructs`: structs per slice (each slice is applied in one event-loop turn). */
  constructor(
    readonly maxStructs: number,
    private readonly baseIdleMs = WORKER_IDLE_MS,
    private readonly maxIdleMs = WORKER_MAX_IDLE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.idleMs = baseIdleMs
  }

  /** Whether the thread is running now (it stops after `idleFor` ms without work). */
  get running(): boolean {
    return this.worker !== null
  }

  /** How long the thread now waits without work before it stops. */
  get idleFor(): number {
    return this.idleMs
  }

  /** The update as slices to apply in order; rejects if it does not decode. */
  async slice(update: Uint8Array): Promise<Uint8Array[]> {
    const answer = await this.run({ kind: 'slice', update, maxStructs: this.maxStructs })
    if (!('slices' in answer)) throw new Error('update worker: no slices')
    return answer.slices.map((slice) => new Uint8Array(slice))
  }

  /** The stored board folded and proven (null: a row is not contained); rejects if it does not decode. */
  async foldAndProve(stored: StoredDoc): Promise<Folded | null> {
    const answer = await this.run({
      kind: 'fold',
      stored: { state: stored.state, updates: stored.updates },
    })
    if (!('folded' in answer)) throw new Error('update worker: nothing folded')
    const folded = answer.folded
    return (
      folded && {
        state: new Uint8Array(folded.state),
        stateVector: new Uint8Array(folded.stateVector),
      }
    )
  }

  private run(job: Record<string, unknown>): Promise<Answer> {
    const worker = (this.worker ??= this.start())
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, worker })
      worker.postMessage({ id, ...job })
    })
  }

  private start(): Worker {
    const stopped = this.stoppedAt === null ? null : this.now() - this.stoppedAt
    if (stopped !== null && stopped < this.idleMs * SOON_AFTER_STOP)
      this.idleMs = Math.min(this.maxIdleMs, this.idleMs * 2)
    else this.idleMs = this.baseIdleMs
    const worker = startLowered(
      () =>
        new Worker(new URL('./update-worker.mjs', import.meta.url), {
          workerData: { nice: BACKGROUND_NICE },
        }),
    )
    worker.unref()
    worker.on('message', (answer: Answer) => {
      const job = this.jobs.get(answer.id)
      this.jobs.delete(answer.id)
      if (!job) return
      if ('error' in answer) job.reject(new Error(answer.error))
      else job.resolve(answer)
      if (this.jobs.size === 0) this.stopWhenIdle(worker)
    })
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = null
      for (const [id, job] of this.jobs) {
        if (job.worker !== worker) continue
        this.jobs.delete(id)
        job.reject(error)
      }
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`update worker exited (${code})`)))
    return worker
  }

  private stopWhenIdle(worker: Worker): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (this.worker !== worker || this.jobs.size > 0) return
      this.worker = null
      this.stoppedAt = this.now()
      void worker.terminate()
    }, this.idleMs)
    this.idleTimer.unref()
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const worker = this.worker
    this.worker = null
    if (worker) await worker.terminate()
  }
}
