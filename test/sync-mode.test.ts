/**
 * LOUPE_SYNC (docs/operations.md, "Durability"): `normal` is WAL with synchronous=NORMAL, `full`
 * is synchronous=FULL (an fsync per commit group). Read on the server's own connection: the
 * board store factory hands the test the very database the server commits with.
 */
import type Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { configFromEnv, parseEnv } from '../server/config.ts'
import { SqliteDocStore } from '../server/storage/sqlite-doc-store.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced } from './harness.ts'

afterEach(cleanup)

/** SQLite's numbers for PRAGMA synchronous. */
const SYNCHRONOUS = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const

describe('LOUPE_SYNC', () => {
  it.each([
    ['unset', {}, SYNCHRONOUS.NORMAL],
    ['normal', { LOUPE_SYNC: 'normal' }, SYNCHRONOUS.NORMAL],
    ['full', { LOUPE_SYNC: 'full' }, SYNCHRONOUS.FULL],
  ] as const)(
    'LOUPE_SYNC %s: the server commits in WAL mode with the matching synchronous level',
    async (_name, env, level) => {
      const { syncMode } = configFromEnv(parseEnv(env), undefined)
      let serverDb: Database.Database | undefined
      const t = await startTestServer({
        syncMode,
        docStore: (db) => {
          serverDb = db
          return new SqliteDocStore(db)
        },
      })
      const db = serverDb as Database.Database
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.pragma('synchronous', { simple: true })).toBe(level)

      // And that connection is the one board updates are committed on.
      const boardId = await t.createBoard()
      const doc = new Y.Doc()
      await synced(t.provider(boardId, doc))
      createTask(doc, { id: 't1', title: 'Durable', order: 'a0', createdBy: 'local' })
      await eventually(() => {
        const row = db
          .prepare('SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?')
          .get(boardId) as { n: number }
        expect(row.n).toBeGreaterThan(0)
      })
      expect(board(doc).tasks.size).toBe(1)
    },
  )
})
