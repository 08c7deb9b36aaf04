/**
 * The priority of the server's background threads: the update worker (compaction folds and
 * large-update slices, realtime/update-worker.mjs) and the WAL checkpoint thread
 * (storage/wal-checkpoints.ts). Each is given this as `workerData.nice` and sets it first thing.
 * On Linux a thread's nice value is its own, so a thread that raises it slows only itself. At
 * nice 10 such a thread gets about a tenth of a core that the event loop also wants (the
 * scheduler's weights are 110 against 1024): a fold or a checkpoint no longer takes the core a
 * lock reply or a relay is waiting for on a busy two-core machine, and with a core to spare it
 * runs at full speed. Elsewhere the call would lower the whole process, so it is not made.
 */
export const BACKGROUND_NICE = 10
