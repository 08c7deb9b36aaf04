// @ts-check
/**
 * The worker thread behind UpdateWorker (update-worker-pool.ts): the Yjs work too long for the
 * event loop. One message in, one out:
 * - `{id, kind: 'slice', update, maxStructs}` → `{id, slices}`: decodes and slices a large
 *   update (update-slicer.mjs);
 * - `{id, kind: 'fold', stored}` → `{id, folded}`: folds a stored board and proves every row
 *   contained (storage/fold.mjs; `folded` is null when one is not);
 * or `{id, error}` when the work throws.
 */
import { setPriority } from 'node:os'
import process from 'node:process'
import { parentPort, workerData } from 'node:worker_threads'

/**
 * @typedef {{ id: number, kind: 'slice', update: Uint8Array, maxStructs: number }
 *   | { id: number, kind: 'fold', stored: { state: Uint8Array | null, updates: Uint8Array[] } }} Job
 */

// Below the event loop's priority (server/thread-priority.ts); on Linux this thread's alone.
// The pool lowers the thread as it creates it (startLowered); where it could not tell the
// thread apart, this does, first thing, before Yjs and the fold are loaded: loading them is
// most of the thread's start (about 80 of 120 ms of CPU).
if (process.platform === 'linux' && typeof workerData?.nice === 'number') {
  try {
    setPriority(workerData.nice)
  } catch {
    // Not allowed here: the thread keeps the process's priority.
  }
}
const { foldAndProve } = await import('../storage/fold.mjs')
const { sliceUpdate } = await import('./update-slicer.mjs')

parentPort?.on('message', (/** @type {Job} */ job) => {
  try {
    if (job.kind === 'slice') {
      const { slices } = sliceUpdate(job.update, job.maxStructs)
      parentPort?.postMessage(
        { id: job.id, slices },
        slices.map((slice) => /** @type {ArrayBuffer} */ (slice.buffer)),
      )
    } else {
      const folded = foldAndProve(job.stored)
      const buffers = folded ? [folded.state.buffer, folded.stateVector.buffer] : []
      parentPort?.postMessage(
        { id: job.id, folded },
        /** @type {ArrayBuffer[]} */ (buffers.filter((b, i) => buffers.indexOf(b) === i)),
      )
    }
  } catch (error) {
    parentPort?.postMessage({
      id: job.id,
      error: error instanceof Error ? error.message : String(error),
    })
  }
})
