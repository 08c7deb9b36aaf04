/**
 * A store that cannot write (a full disk) is said so at once: readiness is 503 naming it,
 * writers are closed with 4503 and turned away at the door while the back-off lasts instead of
 * reconnecting in a tight loop, and everything recovers by itself once writes work again.
 * The disk is "full" for real: SQLite's max_page_count on the server's own connection makes
 * every write that needs a new page fail with SQLITE_FULL.
 */
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import type { Db } from '../server/db/open.ts'
import { SqliteDocStore } from '../server/storage/sqlite-doc-store.ts'
import { cleanup, closeCode, eventually, startTestServer, synced } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

async function serverWithDb() {
  let db!: Db
  const t = await startTestServer({
    docStore: (opened) => {
      db = opened
      return new SqliteDocStore(opened)
    },
  })
  /** The disk fills up: no new page, and the free space left in pages is taken too. */
  const fill = () => {
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`)
    const filler = db.prepare('INSERT INTO store_probe (data) VALUES (zeroblob(?))')
    for (const size of [4096, 1024, 256, 64, 16, 1]) {
      try {
        for (;;) filler.run(size)
      } catch {
        // this size no longer fits; try a smaller one
      }
    }
  }
  const free = () => {
    db.pragma('max_page_count = 1073741823')
    db.prepare('DELETE FROM store_probe').run()
  }
  return { t, db, fill, free }
}

type Ready = { ready: boolean; problems?: string[]; warnings: string[] }

describe('a store that cannot write', () => {
  it('makes readiness fail with the reason, closes writers with 4503, turns new ones away, and recovers by itself', async () => {
    const { t, db, fill, free } = await serverWithDb()
    const boardId = await t.createBoard('Full disk')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc)
    await synced(provider)
    const codes: number[] = []
    provider.on('connection-close', (event) => event && codes.push(event.code))
    expect((await t.api<Ready>('/readyz')).status).toBe(200)

    fill()
    // Big enough to need fresh pages.
    createTask(doc, { id: 'big', title: 'x'.repeat(64 * 1024), createdBy: 'u', order: 'a0' })
    await eventually(() => expect(codes).toContain(CloseCode.storageUnavailable))

    const ready = await t.api<Ready>('/readyz')
    expect(ready.status).toBe(503)
    expect(ready.body.problems?.join(' ')).toMatch(/storage is failing.*SQLITE_FULL/)
    expect((await t.api('/healthz')).status).toBe(200)
    // During the back-off a new socket is told at once, before any document byte.
    const newcomer = new WebSocket(`${t.docUrl}/${boardId}`)
    const frames: unknown[] = []
    newcomer.on('message', (data) => frames.push(data))
    expect(await closeCode(newcomer)).toBe(CloseCode.storageUnavailable)
    expect(frames).toEqual([])
    // Other writes fail as well (small ones may still fit a full disk's pages, so the file
    // turns read-only now): a lock request gets a refusal and the live socket stays up; HTTP
    // writes answer 503 with the JSON error body.
    db.pragma('query_only = ON')
    const live = await liveClient(t)
    await live.hello()
    const refused = await live.request({ type: 'lock.acquire', key: `${boardId}/task/big` })
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } })
    expect(live.ws.readyState).toBe(live.ws.OPEN)
    const created = await t.api<{ error: { code: string } }>('/api/workspaces', {
      method: 'POST',
      json: { name: 'Made while full' },
    })
    expect(created.status).toBe(503)
    expect(created.body.error.code).toBe('unavailable')
    db.pragma('query_only = OFF')

    // Space comes back: readiness recovers by itself (a probe write) and the writer's edit,
    // which it kept, is stored when it gets back in.
    // With no writer about, readiness finds out by itself.
    provider.disconnect()
    free()
    await eventually(async () => expect((await t.api<Ready>('/readyz')).status).toBe(200), 15_000)
    provider.connect()
    await eventually(() => {
      const stored = new Database(t.server.dbFile, { readonly: true })
      try {
        const rows = stored.prepare('SELECT data FROM doc_updates WHERE board_id = ?').all(boardId)
        const replica = new Y.Doc()
        for (const row of rows as Array<{ data: Buffer }>) Y.applyUpdate(replica, row.data)
        expect(board(replica).tasks.get('big')?.get('title')).toHaveLength(64 * 1024)
      } finally {
        stored.close()
      }
    }, 15_000)
    const metrics = await t.api<Uint8Array>('/metrics')
    expect(new TextDecoder().decode(metrics.body)).toMatch(/^loupe_storage_failing 0$/m)
  }, 60_000)

  it('skips a corrupt stored row, loads the rest, and says so on /readyz and /metrics', async () => {
    const { t, db } = await serverWithDb()
    const boardId = await t.createBoard('Damaged')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc)
    await synced(provider)
    createTask(doc, { id: 'kept', title: 'Still here', createdBy: 'u', order: 'a0' })
    await eventually(async () => {
      const count = db
        .prepare('SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?')
        .get(boardId) as { n: number }
      expect(count.n).toBeGreaterThanOrEqual(2)
    })
    provider.destroy()
    await eventually(() => expect(t.server.rooms.loaded(boardId)).toBeUndefined())
    db.prepare(
      'INSERT INTO doc_updates (board_id, seq, data, user_id, created_at) VALUES (?, 999, ?, NULL, 0)',
    ).run(boardId, Buffer.from([1, 1, 200, 1, 0, 7, 7, 7]))

    const again = new Y.Doc()
    await synced(t.provider(boardId, again))
    expect(board(again).tasks.get('kept')?.get('title')).toBe('Still here')
    const ready = await t.api<Ready>('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body.warnings.join(' ')).toContain(`board ${boardId}: 1 stored update`)
    const metrics = await t.api<Uint8Array>('/metrics')
    expect(new TextDecoder().decode(metrics.body)).toMatch(
      /^loupe_stored_updates_skipped_total 1$/m,
    )
  })
})
