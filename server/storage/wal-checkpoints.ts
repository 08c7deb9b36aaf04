/**
 * SQLite's WAL checkpoints, off the event loop.
 *
 * By default SQLite checkpoints inside the commit that takes the WAL past 1000 pages, on the
 * connection that commits: here, the event loop. A checkpoint copies the WAL's pages into the
 * database file and syncs it, so whichever request committed then (a lock, an edit) waited
 * milliseconds more: at a few hundred lock requests a second that was every second or two,
 * in the tail of their latency. Here the server's connection never checkpoints; a thread of
 * its own, with its own connection, runs a PASSIVE checkpoint (which never blocks writers)
 * once the WAL passes `maxWalBytes`. After a checkpoint the next commit starts the WAL over
 * and SQLite cuts the file back to `journal_size_limit`, so the file's size says how much was
 * written since. The thread starts when first needed and stops after `idleMs` without work,
 * so a server at rest has none; if it cannot checkpoint, the event loop does, as before. It
 * runs at a lower priority than the event loop (thread-priority.ts).
 * Durability is SQLite's either way: a checkpoint only moves committed pages.
 */
import { statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { Db } from '../db/open.ts'
import { BACKGROUND_NICE, startLowered } from '../thread-priority.ts'

export interface WalCheckpointOptions {
  /** How often the WAL's size is looked at. */
  checkMs: number
  /** WAL size past which a checkpoint runs (SQLite's default: 1000 pages of 4 KiB). */
  maxWalBytes: number
  /** The thread stops after this long without a checkpoint to run. */
  idleMs: number
}

export const walCheckpointDefaults: WalCheckpointOptions = {
  checkMs: 250,
  maxWalBytes: 4 * 1024 * 1024,
  // Starting it again costs only its connection (a few milliseconds); under steady writes a
  // checkpoint comes every second or two, so it stays up.
  idleMs: 5_000,
}

/**
 * The thread: one connection to the file, one PASSIVE checkpoint per message. Plain script
 * source (run with `eval`), so the server build needs no entry point for it; better-sqlite3 is
 * resolved by the server and passed in.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
if (process.platform === 'linux') {
  try { require('node:os').setPriority(workerData.nice) } catch {}
}
const Database = require(workerData.driver)
const db = new Database(workerData.file)
db.pragma('busy_timeout = 5000')
parentPort.on('message', () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)')
    parentPort.postMessage({ ok: true, result })
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) })
  }
})
`

type Answer = { ok: true; result: unknown } | { ok: false; error: string }

export class WalCheckpoints {
  private readonly timer: NodeJS.Timeout
  private thread: Worker | null = null
  private idleTimer: NodeJS.Timeout | null = null
  private running = false
  /** The WAL's size when it was last checkpointed. */
  private checkpointedAt = -1
  /** Checkpoints run on the thread, and on the event loop when it could not. */
  readonly counts = { thread: 0, inline: 0 }

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly log: Logger,
    private readonly options: WalCheckpointOptions = walCheckpointDefaults,
  ) {
    db.pragma('wal_autocheckpoint = 0')
    db.pragma(`journal_size_limit = ${Math.floor(options.maxWalBytes / 4)}`)
    this.timer = setInterval(() => void this.check(), options.checkMs)
    this.timer.unref()
  }

  private walBytes(): number {
    return statSync(`${this.file}-wal`, { throwIfNoEntry: false })?.size ?? 0
  }

  /**
   * Runs a checkpoint if the WAL is past its size and none is running; resolves when done. A
   * WAL wholly checkpointed keeps its size until the next commit starts it over, so a size
   * seen right after a checkpoint asks for nothing (the thread may stop).
   */
  async check(): Promise<void> {
    if (this.running || !this.db.open) return
    const bytes = this.walBytes()
    if (bytes <= this.options.maxWalBytes || bytes === this.checkpointedAt) return
    this.running = true
    try {
      await this.onThread()
      this.checkpointedAt = bytes
      this.counts.thread++
    } catch (error) {
      this.log.warn({ err: error }, 'WAL checkpoint thread failed; checkpointing on the event loop')
      this.stopThread()
      if (this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)')
      this.counts.inline++
    } finally {
      this.running = false
    }
  }

  private onThread(): Promise<void> {
    const thread = (this.thread ??= this.startThread())
    if (this.idleTimer) clearTimeout(this.idleTimer)
    return new Promise<void>((resolve, reject) => {
      const settle = (answer: Answer | Error) => {
        thread.off('message', settle)
        thread.off('error', settle)
        this.idleTimer = setTimeout(() => this.stopThread(), this.options.idleMs)
        this.idleTimer.unref()
        if (answer instanceof Error) reject(answer)
        else if (!answer.ok) reject(new Error(answer.error))
        else resolve()
      }
      thread.on('message', settle)
      thread.on('error', settle)
      thread.postMessage('checkpoint')
    })
  }

  private startThread(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    const thread = startLowered(
      () =>
        new Worker(THREAD_SOURCE, {
          eval: true,
          workerData: { driver, file: this.file, nice: BACKGROUND_NICE },
        }),
    )
    thread.unref()
    thread.on('exit', () => {
      if (this.thread === thread) this.thread = null
    })
    return thread
  }

  private stopThread(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
    const thread = this.thread
    this.thread = null
    if (thread) void thread.terminate()
  }

  /** Before the database closes (closing it checkpoints what is left). */
  stop(): void {
    clearInterval(this.timer)
    this.stopThread()
  }
}
