import { once } from 'node:events'
import { request, type ClientRequest, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, initMeta } from '../shared/schema/board.ts'
import { cleanup, startTestServer, type TestServer } from './harness.ts'

afterEach(cleanup)

const LIMIT = 4096

async function workspace(t: TestServer): Promise<string> {
  const created = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
    method: 'POST',
    json: { name: 'Imports' },
  })
  return created.body.workspace.id
}

/** A POST to the import route whose body the test writes by hand (and may never end). */
function importRequest(t: TestServer, workspaceId: string, headers: Record<string, string>) {
  const req = request(`${t.url}/api/workspaces/${workspaceId}/boards/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
  })
  req.on('error', () => {}) // the server may cut the connection after its 413
  return req
}

async function answer(req: ClientRequest): Promise<{ res: IncomingMessage; body: string }> {
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  let body = ''
  res.setEncoding('utf8')
  for await (const chunk of res) body += chunk as string
  return { res, body }
}

/** An export of a small board, well under the limit. */
function smallBoard(): Uint8Array {
  const doc = new Y.Doc()
  initMeta(doc, { title: 'From elsewhere', createdAt: 1, createdBy: 'someone' })
  createTask(doc, { id: 't1', title: 'imported task', order: 'a0', createdBy: 'someone' })
  return Y.encodeStateAsUpdate(doc)
}

describe('board import size limit', () => {
  it('answers 413 once a chunked body passes the limit, without waiting for its end', async () => {
    const t = await startTestServer({ limits: { maxDocBytes: LIMIT } })
    const ws = await workspace(t)
    const req = importRequest(t, ws, {}) // no Content-Length: chunked
    const closed = once(req, 'close')
    // More than the limit, in pieces, and the body is never ended: only a server that stops
    // reading at the limit can answer.
    for (let i = 0; i < 3; i++) req.write(Buffer.alloc(2000, i + 1))
    const { res, body } = await answer(req)
    expect(res.statusCode).toBe(413)
    expect(req.getHeader('content-length')).toBeUndefined()
    expect(JSON.parse(body).error).toMatchObject({ code: 'too_large', limit: LIMIT })
    // The server closes the connection instead of reading the rest.
    expect(res.headers.connection).toBe('close')
    await closed
    expect(req.writableEnded).toBe(false)

    // Nothing was created.
    const boards = await t.api<{ boards: unknown[] }>(`/api/workspaces/${ws}/boards`)
    expect(boards.body.boards).toEqual([])
  })

  it('refuses a Content-Length over the limit before reading any of the body', async () => {
    const t = await startTestServer({ limits: { maxDocBytes: LIMIT } })
    const ws = await workspace(t)
    const req = importRequest(t, ws, { 'content-length': String(LIMIT + 1) })
    req.flushHeaders() // headers only: not one byte of the body is sent
    const { res, body } = await answer(req)
    expect(res.statusCode).toBe(413)
    expect(JSON.parse(body).error.code).toBe('too_large')
    req.destroy()
  })

  it('refuses a body with a Content-Length over the limit when it is sent in full', async () => {
    const t = await startTestServer({ limits: { maxDocBytes: LIMIT } })
    const ws = await workspace(t)
    const response = await fetch(`${t.url}/api/workspaces/${ws}/boards/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(LIMIT + 1),
    })
    expect(response.status).toBe(413)
  })

  it('still imports a board under the limit, chunked or with a Content-Length', async () => {
    const t = await startTestServer({ limits: { maxDocBytes: LIMIT } })
    const ws = await workspace(t)
    const update = smallBoard()
    expect(update.byteLength).toBeLessThan(LIMIT)

    const chunked = importRequest(t, ws, {})
    chunked.write(update.subarray(0, 10))
    chunked.end(update.subarray(10))
    const first = await answer(chunked)
    expect(first.res.statusCode).toBe(201)
    const id = JSON.parse(first.body).board.id as string

    const whole = await fetch(`${t.url}/api/workspaces/${ws}/boards/import?id=copy`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(update),
    })
    expect(whole.status).toBe(201)

    for (const boardId of [id, 'copy']) {
      const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`)
      const doc = new Y.Doc()
      Y.applyUpdate(doc, exported.body)
      expect(board(doc).tasks.get('t1')?.get('title')).toBe('imported task')
    }
  })
})
