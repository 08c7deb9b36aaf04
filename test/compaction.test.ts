/**
 * Compaction off the event loop, seen from a running server: a board's log is folded a bounded
 * prefix at a time on the update worker, one fold at a time per board, and an unload and a clean
 * stop that both want to fold it leave nothing behind (docs/operations.md).
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MAX_FOLD_ROWS } from '../server/storage/sqlite-doc-store.ts'
import {
  cleanup,
  eventually,
  startTestServer,
  synced,
  tempDir,
  type TestServer,
} from './harness.ts'
import { storedRows } from './stored-rows.ts'

afterEach(cleanup)

async function stored(t: TestServer, boardId: string) {
  const rows = storedRows(t)
  const count = await rows.count(
    'SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?',
    boardId,
  )
  const snapshot = (
    await rows.get<{ state: Buffer }>('SELECT state FROM doc_snapshots WHERE board_id = ?', boardId)
  )?.state
  return { rows: count, snapshot: snapshot ? new Uint8Array(snapshot) : null }
}

describe('compaction of a running board', () => {
  it('folds a long log in bounded rounds, and a stop during an unload leaves no row behind', async () => {
    const dataDir = tempDir()
    // Nothing folds while the log grows: the unload and the stop get all of it.
    const t = await startTestServer({
      dataDir,
      roomIdleMs: 0,
      compactAfterUpdates: 100_000,
      limits: { messagesPerSecond: 1_000_000 },
    })
    const boardId = await t.createBoard()
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc)
    await synced(provider)
    const rows = MAX_FOLD_ROWS * 2 + 100
    const room = () => t.server.rooms.loaded(boardId)
    // One commit per change, so the log has a row for each: a room applies what arrived
    // together as one update, which a slower store (PostgreSQL) would otherwise make few.
    for (let i = 0; i < rows; i++) {
      const live = room()
      if (!live) throw new Error('the room is not loaded')
      const applied = new Promise((resolve) => live.doc.once('update', resolve))
      doc.getMap('log').set(`k${i}`, i)
      await applied
      await live.whenCommitted()
    }
    await eventually(() => expect(room()?.doc.getMap('log').size).toBe(rows), 20_000)
    await eventually(() => expect(room()?.updatesSinceSnapshot).toBeGreaterThanOrEqual(rows))

    // The last client leaves: the unload starts folding, and the server stops meanwhile.
    provider.destroy()
    await t.server.close()
    const after = await stored(t, boardId)
    expect(after.rows).toBe(0)
    const folded = new Y.Doc()
    Y.applyUpdate(folded, after.snapshot as Uint8Array)
    expect(folded.getMap('log').size).toBe(rows)
    expect(Y.encodeStateVector(folded)).toEqual(Y.encodeStateVector(doc))
    // Two thousand commits one after another: on PostgreSQL, with two nodes, on a busy
    // machine, that is more than the default 30 s.
  }, 120_000)
})
