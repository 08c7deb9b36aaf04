/**
 * The priority of the server's background threads: the update worker (compaction folds and
 * large-update slices, realtime/update-worker.mjs) and the WAL checkpoint thread
 * (storage/wal-checkpoints.ts). Each is started through `startLowered`, which lowers the new
 * thread from outside before it runs anything, and is also given this as `workerData.nice` to
 * set first thing itself (where the thread could not be told apart).
 * On Linux a thread's nice value is its own, so a thread that raises it slows only itself. At
 * nice 10 such a thread gets about a tenth of a core that the event loop also wants (the
 * scheduler's weights are 110 against 1024): a fold or a checkpoint no longer takes the core a
 * lock reply or a relay is waiting for on a busy two-core machine, and with a core to spare it
 * runs at full speed. Elsewhere the call would lower the whole process, so it is not made.
 */
import { readdirSync } from 'node:fs'
import { setPriority } from 'node:os'

export const BACKGROUND_NICE = 10

/**
 * Runs `start` (which creates one thread: `new Worker(…)`) and gives the thread it created
 * BACKGROUND_NICE at once, on Linux, told apart as the one thread id that appeared in
 * /proc/self/task meanwhile. Lowered from inside, the thread would start at the event loop's
 * priority: booting a worker and loading its modules is 40–120 ms of CPU, and on two busy cores
 * it held a 1000-receiver relay up by tens of milliseconds when the first compaction began.
 */
export function startLowered<T>(start: () => T): T {
  if (process.platform !== 'linux') return start()
  const before = threadIds()
  const started = start()
  const created = before ? [...(threadIds() ?? [])].filter((tid) => !before.has(tid)) : []
  // Anything but exactly one new thread is not ours to tell apart: the thread lowers itself.
  if (created.length === 1) {
    try {
      setPriority(created[0] as number, BACKGROUND_NICE)
    } catch {
      // Not allowed here: it keeps the process's priority until it lowers itself.
    }
  }
  return started
}

function threadIds(): Set<number> | null {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number))
  } catch {
    return null
  }
}
