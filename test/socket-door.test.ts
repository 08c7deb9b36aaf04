/**
 * WebSocket upgrades are taken on the Node server (server/net/socket-door.ts), not by the
 * Hono app: a path with a socket behind it is upgraded (refusals are close codes after it,
 * docs/product.md); anything else gets an HTTP status and is closed.
 */
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { cleanup, closeCode, eventually, startTestServer, synced } from './harness.ts'

afterEach(cleanup)

/** Sends raw request bytes; resolves with everything the server answers before it closes. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
    socket.write(request)
  })
}

const upgradeTo = (path: string, port: number, upgrade = 'websocket') =>
  [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Upgrade: ${upgrade}`,
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n')

describe('the socket door', () => {
  it('answers 404 and closes for a path with no socket behind it', async () => {
    const t = await startTestServer()
    const port = Number(new URL(t.url).port)
    for (const path of ['/ws/nothing', '/ws/doc', '/ws/doc/a/b', '/api/me', '/'])
      expect(await rawRequest(port, upgradeTo(path, port))).toMatch(/^HTTP\/1\.1 404 /)
  })

  it('answers 400 to an upgrade to something other than WebSocket', async () => {
    const t = await startTestServer()
    const port = Number(new URL(t.url).port)
    const answer = await rawRequest(port, upgradeTo('/ws/live', port, 'h2c'))
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
  })

  it('upgrades, then refuses with a close code: an unknown board gets 4404', async () => {
    const t = await startTestServer()
    const ws = new WebSocket(`${t.docUrl}/no-such-board`)
    expect(await closeCode(ws)).toBe(CloseCode.notFound)
  })

  it('reads the board id as the URL encodes it, and the token from the query', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Encoded', 'board-1')
    const writer = new Y.Doc()
    await synced(t.provider(boardId, writer))
    writer.getMap('m').set('k', 'v')
    // %2D is "-": the door decodes the path segment as the app's routes do.
    const ws = new WebSocket(`${t.docUrl}/board%2D1?token=ignored-with-auth-off`)
    const first = await new Promise<Buffer>((resolve) => ws.once('message', resolve))
    expect(first.length).toBeGreaterThan(0)
    await eventually(() => expect(t.server.rooms.loaded('board-1')?.peers.size).toBe(2))
    ws.terminate()
  })
})
