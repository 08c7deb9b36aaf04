import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { cleanup, closeCode, eventually, startTestServer, synced } from './harness.ts'

afterEach(cleanup)

interface BoardBody {
  board: { id: string; title: string; workspaceId: string; archivedAt: number | null }
}

describe('workspaces and boards over HTTP (auth off)', () => {
  it('creates, lists, renames, exports, imports and archives boards', async () => {
    const t = await startTestServer()
    const me = await t.api<{ user: { id: string }; workspaces: unknown[] }>('/api/me')
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe('local')
    expect(me.body.workspaces).toEqual([])

    const ws = await t.api<{ workspace: { id: string; role: string } }>('/api/workspaces', {
      method: 'POST',
      json: { name: 'Studio' },
    })
    expect(ws.status).toBe(201)
    expect(ws.body.workspace.role).toBe('owner')
    const wsId = ws.body.workspace.id

    const created = await t.api<BoardBody>(`/api/workspaces/${wsId}/boards`, {
      method: 'POST',
      json: { title: 'Cut 3', id: 'cut-3_offline' },
    })
    expect(created.status).toBe(201)
    expect(created.body.board).toMatchObject({
      id: 'cut-3_offline',
      title: 'Cut 3',
      workspaceId: wsId,
    })
    const again = await t.api(`/api/workspaces/${wsId}/boards`, {
      method: 'POST',
      json: { title: 'Dup', id: 'cut-3_offline' },
    })
    expect(again.status).toBe(409)

    const listed = await t.api<{ boards: Array<{ id: string }> }>(`/api/workspaces/${wsId}/boards`)
    expect(listed.body.boards.map((b) => b.id)).toEqual(['cut-3_offline'])

    // Rename reaches the document's meta, live.
    const doc = new Y.Doc()
    const provider = t.provider('cut-3_offline', doc)
    await synced(provider)
    expect(board(doc).meta.get('title')).toBe('Cut 3')
    expect(board(doc).meta.get('createdBy')).toBe('local')
    const renamed = await t.api<BoardBody>('/api/boards/cut-3_offline', {
      method: 'PATCH',
      json: { title: 'Cut 3 final' },
    })
    expect(renamed.body.board.title).toBe('Cut 3 final')
    await eventually(() => expect(board(doc).meta.get('title')).toBe('Cut 3 final'))

    // Export is one Yjs update; importing it makes an identical board.
    createTask(doc, { id: 't1', title: 'Grade', order: 'a0', createdBy: 'local' })
    await eventually(() =>
      expect(t.server.rooms.loaded('cut-3_offline')?.doc.getMap('tasks').has('t1')).toBe(true),
    )
    const exported = await t.api<Uint8Array>('/api/boards/cut-3_offline/export')
    expect(exported.status).toBe(200)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, exported.body)
    expect(board(copy).tasks.get('t1')?.get('title')).toBe('Grade')
    const imported = await fetch(
      `${t.url}/api/workspaces/${wsId}/boards/import?id=copy&title=Copy`,
      {
        method: 'POST',
        body: exported.body as Uint8Array<ArrayBuffer>,
      },
    )
    expect(imported.status).toBe(201)
    const copyDoc = new Y.Doc()
    await synced(t.provider('copy', copyDoc))
    expect(board(copyDoc).tasks.get('t1')?.get('title')).toBe('Grade')
    expect(board(copyDoc).meta.get('title')).toBe('Copy')
    const badImport = await fetch(`${t.url}/api/workspaces/${wsId}/boards/import`, {
      method: 'POST',
      body: 'not yjs',
    })
    expect(badImport.status).toBe(400)

    // Archive: gone from listings, open sockets close with 4404, new ones are refused.
    const raw = await t.raw('cut-3_offline')
    const closed = closeCode(raw)
    const archived = await t.api<BoardBody>('/api/boards/cut-3_offline', { method: 'DELETE' })
    expect(archived.body.board.archivedAt).toEqual(expect.any(Number))
    expect(await closed).toBe(CloseCode.notFound)
    expect(await closeCode(await t.raw('cut-3_offline'))).toBe(CloseCode.notFound)
    const after = await t.api<{ boards: Array<{ id: string }> }>(`/api/workspaces/${wsId}/boards`)
    expect(after.body.boards.map((b) => b.id)).toEqual(['copy'])
  })

  it('answers bad requests with a JSON error naming the problem', async () => {
    const t = await startTestServer()
    const ws = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      json: { name: 'W' },
    })
    const wsId = ws.body.workspace.id
    const cases: Array<[string, RequestInit & { json?: unknown }, number, string]> = [
      [
        '/api/workspaces',
        { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } },
        400,
        'bad_request',
      ],
      ['/api/workspaces', { method: 'POST', json: { name: '' } }, 400, 'bad_request'],
      [
        `/api/workspaces/${wsId}/boards`,
        { method: 'POST', json: { title: 'x', id: '../etc' } },
        400,
        'bad_request',
      ],
      [
        `/api/workspaces/${wsId}/boards`,
        { method: 'POST', json: { title: 'x', id: 'a'.repeat(65) } },
        400,
        'bad_request',
      ],
      ['/api/workspaces/nope/boards', {}, 404, 'not_found'],
      ['/api/workspaces/bad%20id/boards', {}, 400, 'invalid_id'],
      ['/api/boards/missing', {}, 404, 'not_found'],
      ["/api/boards/x'%20OR%201=1", {}, 400, 'invalid_id'],
      ['/api/nothing-here', {}, 404, 'not_found'],
    ]
    for (const [path, init, status, code] of cases) {
      const response = await t.api<{ error: { code: string; message: string } }>(path, init)
      expect({ path, status: response.status, code: response.body.error?.code }).toEqual({
        path,
        status,
        code,
      })
      expect(response.body.error.message.length).toBeGreaterThan(0)
    }
  })

  it('never writes a query string (where tokens travel) to the log', async () => {
    const t = await startTestServer()
    const secret = 'eyJhbGciOiJIUzI1NiJ9.secret-token-value'
    await t.api(`/api/me?token=${secret}`)
    const ws = await t.raw(`nope?token=${secret}`)
    await closeCode(ws)
    expect(t.logs.some((l) => l.path === '/api/me')).toBe(true)
    expect(JSON.stringify(t.logs)).not.toContain(secret)
  })
})
