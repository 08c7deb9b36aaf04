import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, expect, it } from 'vitest'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { WalCheckpoints } from './wal-checkpoints.ts'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((f) => f()))

function database(): { db: Db; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-wal-'))
  const file = join(dir, 'loupe.db')
  const db = openDb(file, { sync: 'normal' })
  db.exec('CREATE TABLE filler (k INTEGER PRIMARY KEY, v BLOB)')
  cleanups.push(() => {
    closeDb(db)
    rmSync(dir, { recursive: true, force: true })
  })
  return { db, file }
}

it('checkpoints on its own thread once the WAL passes its size, never inside a commit', async () => {
  const { db, file } = database()
  const maxWalBytes = 1024 * 1024
  const checkpoints = new WalCheckpoints(db, file, pino({ level: 'silent' }), {
    checkMs: 60_000,
    maxWalBytes,
    idleMs: 60_000,
  })
  cleanups.unshift(() => checkpoints.stop())
  const walBytes = () => statSync(`${file}-wal`).size
  const put = db.prepare('INSERT OR REPLACE INTO filler (k, v) VALUES (?, ?)')
  // 6 MB in 1500 commits: SQLite's own checkpoint would have started the WAL over at 1000 pages.
  for (let i = 0; i < 1500; i++) put.run(i, Buffer.alloc(4000, i % 256))
  expect(walBytes()).toBeGreaterThan(6_000_000)

  await checkpoints.check()
  expect(checkpoints.counts).toEqual({ thread: 1, inline: 0 })
  // Until a commit starts it over, the checkpointed WAL keeps its size: nothing more to do.
  await checkpoints.check()
  expect(checkpoints.counts.thread).toBe(1)
  put.run(0, Buffer.alloc(10))
  // The next commit started the WAL over, and SQLite cut the file back.
  expect(walBytes()).toBeLessThanOrEqual(maxWalBytes / 4)
  await checkpoints.check()
  expect(checkpoints.counts.thread).toBe(1)
  expect(db.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 1500 })
})
