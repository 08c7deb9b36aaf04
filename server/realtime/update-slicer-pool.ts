/**
 * Slices large updates (update-slicer.mjs) on a worker thread, so decoding a legal but huge
 * update — the first and costliest step of checking it — never holds the event loop. One
 * worker, started on first use and never keeping the process alive by itself.
 */
import { Worker } from 'node:worker_threads'

/**
 * Updates larger than this are sliced off the event loop. An update of tiny items costs about
 * 5 µs per struct to decode and apply, and carries about one struct per 20 bytes: at 32 KiB
 * an inline update costs under 10 ms.
 */
export const LARGE_UPDATE_BYTES = 32 * 1024
/** Structs per slice: small, so a turn applies as many slices as fit its time budget (room.ts). */
export const SLICE_STRUCTS = 100

interface Job {
  resolve: (slices: Uint8Array[]) => void
  reject: (error: Error) => void
}

type Answer = { id: number; slices: Uint8Array[] } | { id: number; error: string }

export class UpdateSlicer {
  private worker: Worker | null = null
  private readonly jobs = new Map<number, Job>()
  private nextId = 1

  /** `maxStructs`: structs per slice (each slice is applied in one event-loop turn). */
  constructor(readonly maxStructs: number) {}

  /** The update as slices to apply in order; rejects if it does not decode. */
  slice(update: Uint8Array): Promise<Uint8Array[]> {
    const worker = (this.worker ??= this.start())
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject })
      worker.postMessage({ id, update, maxStructs: this.maxStructs })
    })
  }

  private start(): Worker {
    const worker = new Worker(new URL('./update-worker.mjs', import.meta.url))
    worker.unref()
    worker.on('message', (answer: Answer) => {
      const job = this.jobs.get(answer.id)
      this.jobs.delete(answer.id)
      if (!job) return
      if ('error' in answer) job.reject(new Error(answer.error))
      else job.resolve(answer.slices.map((slice) => new Uint8Array(slice)))
    })
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = null
      for (const job of this.jobs.values()) job.reject(error)
      this.jobs.clear()
    }
    worker.on('error', lost)
    worker.on('exit', (code) => lost(new Error(`update worker exited (${code})`)))
    return worker
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    if (worker) await worker.terminate()
  }
}
