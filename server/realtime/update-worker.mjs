// @ts-check
/**
 * The worker thread behind UpdateSlicer (update-slicer-pool.ts): it decodes and slices large
 * updates off the event loop. One message in, one out: `{id, update, maxStructs}` →
 * `{id, slices}` or `{id, error}`.
 */
import { parentPort } from 'node:worker_threads'
import { sliceUpdate } from './update-slicer.mjs'

parentPort?.on(
  'message',
  (/** @type {{ id: number, update: Uint8Array, maxStructs: number }} */ job) => {
    try {
      const { slices } = sliceUpdate(job.update, job.maxStructs)
      parentPort?.postMessage(
        { id: job.id, slices },
        slices.map((slice) => /** @type {ArrayBuffer} */ (slice.buffer)),
      )
    } catch (error) {
      parentPort?.postMessage({
        id: job.id,
        error: error instanceof Error ? error.message : String(error),
      })
    }
  },
)
