/**
 * The background threads run below the event loop's priority (thread-priority.ts): the update
 * worker and the WAL checkpoint thread each raise their own nice value, and only their own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { closeDb, openDb } from './db/open.ts'
import { UpdateWorker } from './realtime/update-worker-pool.ts'
import { WalCheckpoints } from './storage/wal-checkpoints.ts'
import { BACKGROUND_NICE } from './thread-priority.ts'

/** The nice value of each thread of this process, by thread id (Linux's /proc). */
function niceByThread(): Map<number, number> {
  const nice = new Map<number, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      // Fields after the command's closing parenthesis: state is the 3rd field, nice the 19th.
      nice.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
    } catch {
      // The thread ended while being read.
    }
  }
  return nice
}

const lowered = () => [...niceByThread().values()].filter((n) => n === BACKGROUND_NICE).length

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

describe.runIf(process.platform === 'linux')('background threads', () => {
  it('the update worker runs lowered from its first instruction, and only it', async () => {
    expect(lowered()).toBe(0)
    const worker = new UpdateWorker(100)
    cleanups.push(() => worker.close())
    const doc = new Y.Doc()
    doc.getMap('m').set('k', 1)
    const job = worker.foldAndProve({
      state: null,
      stateVector: null,
      updates: [Y.encodeStateAsUpdate(doc)],
      bytes: 0,
    })
    // The thread exists now and has run nothing yet (this thread has not yielded): booting it
    // and loading Yjs must already run below the event loop.
    expect(lowered()).toBe(1)
    expect(niceByThread().get(process.pid)).toBe(0)
    await job
    expect(lowered()).toBe(1)
    expect(niceByThread().get(process.pid)).toBe(0)
    await worker.close()
    expect(lowered()).toBe(0)
  })

  it('the WAL checkpoint thread lowers its own priority, not the event loop’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-nice-'))
    const file = join(dir, 'loupe.db')
    const db = openDb(file, { sync: 'normal' })
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    cleanups.push(() => closeDb(db))
    const checkpoints = new WalCheckpoints(db, file, pino({ level: 'silent' }), {
      checkMs: 60_000,
      maxWalBytes: 64 * 1024,
      idleMs: 60_000,
    })
    cleanups.push(() => checkpoints.stop())
    db.exec('CREATE TABLE filler (k INTEGER PRIMARY KEY, v BLOB)')
    const put = db.prepare('INSERT INTO filler (k, v) VALUES (?, ?)')
    for (let i = 0; i < 40; i++) put.run(i, Buffer.alloc(4000))
    await checkpoints.check()
    expect(checkpoints.counts).toEqual({ thread: 1, inline: 0 })
    expect(lowered()).toBe(1)
    expect(niceByThread().get(process.pid)).toBe(0)
  })
})
