/**
 * Slow clients (issue 10; docs/operations.md "Slow clients and request bodies"), with the
 * timeouts shortened: a client trickling its headers, one sending nothing, a JSON body that
 * trickles, and an upload that stalls are all cut; a slow but steady upload, kept-alive
 * requests and WebSockets open past every timeout are not.
 */
import { connect, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { cleanup, startTestServer, type TestServer } from './harness.ts'
import { png } from './media-samples.ts'

afterEach(cleanup)

/** Generous: the timeouts under test are all under a second. */
const WAIT = 10_000

const timeouts = {
  headersTimeoutMs: 400,
  idleTimeoutMs: 600,
  requestTimeoutMs: 800,
  keepAliveTimeoutMs: 300,
}

interface Raw {
  socket: Socket
  /** Everything the server sent. */
  received: () => string
  /** Resolves when the server has closed the connection (or rejects after WAIT). */
  closed: Promise<void>
  isClosed: () => boolean
}

async function raw(t: TestServer): Promise<Raw> {
  const { port } = new URL(t.url)
  const socket = connect(Number(port), '127.0.0.1')
  let text = ''
  let isClosed = false
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => (text += chunk))
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not closed within ${WAIT} ms`)), WAIT)
    socket.once('close', () => {
      isClosed = true
      clearTimeout(timer)
      resolve()
    })
  })
  closed.catch(() => {})
  await new Promise((resolve) => socket.once('connect', resolve))
  return { socket, received: () => text, closed, isClosed: () => isClosed }
}

/** Writes `text` one byte every `ms` until the socket closes or the text runs out. */
function trickle(socket: Socket, text: string, ms = 50) {
  let at = 0
  const timer = setInterval(() => {
    if (socket.destroyed || at >= text.length) clearInterval(timer)
    else socket.write(text[at++] as string)
  }, ms)
  socket.once('close', () => clearInterval(timer))
  return { sent: () => at }
}

describe('slow clients are cut, within the configured time', () => {
  it('cuts a client that trickles its headers a byte at a time (408, closed)', async () => {
    const t = await startTestServer(timeouts)
    const client = await raw(t)
    // Never finishes: the header line goes on forever, a byte every 50 ms.
    const trickled = trickle(
      client.socket,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(10_000)}`,
    )
    await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
    // It was sending all along (never idle): the headers deadline cut it.
    expect(trickled.sent()).toBeGreaterThan(3)
  })

  it('cuts a client that connects and sends nothing', async () => {
    const t = await startTestServer(timeouts)
    const client = await raw(t)
    await client.closed
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
  })

  it('answers 408 to a JSON body that trickles past the request timeout, and closes', async () => {
    const t = await startTestServer(timeouts)
    const client = await raw(t)
    const body = JSON.stringify({ name: 'slowly' }).padEnd(1000, ' ')
    client.socket.write(
      `POST /api/workspaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    )
    trickle(client.socket, body)
    await client.closed
    const [head = '', json = ''] = client.received().split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 408 /)
    expect(head.toLowerCase()).toContain('connection: close')
    expect(JSON.parse(json)).toEqual({
      error: { code: 'bad_request', message: 'the request body did not arrive within 800 ms' },
    })
  })

  it('cuts an upload that stalls, but lets a slow and steady one finish past every timeout', async () => {
    const t = await startTestServer(timeouts)
    const boardId = await t.createBoard('Uploads')
    const picture = png(64, 64)

    const stalled = await raw(t)
    stalled.socket.write(
      `POST /api/media?board=${boardId} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${picture.byteLength}\r\n\r\n`,
    )
    stalled.socket.write(picture.subarray(0, 100))
    await stalled.closed
    expect(stalled.received()).toBe('')

    // 25 pieces, one every 100 ms: longer than the headers, idle and request timeouts together.
    const pieces = 25
    const size = Math.ceil(picture.byteLength / pieces)
    let timer: NodeJS.Timeout | undefined
    const steady = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new ReadableStream<Uint8Array>({
        // A source on a clock, as trickle() is for headers: one piece per tick.
        start(controller) {
          let sent = 0
          const next = () => {
            controller.enqueue(picture.slice(sent, sent + size))
            sent += size
            if (sent < picture.byteLength) return
            clearInterval(timer)
            controller.close()
          }
          next()
          timer = setInterval(next, 100)
        },
        cancel: () => clearInterval(timer),
      }),
      duplex: 'half',
    } as RequestInit)
    expect(steady.status).toBe(201)
    expect(((await steady.json()) as { media: { bytes: number } }).media.bytes).toBe(
      picture.byteLength,
    )
  })

  it('closes a kept-alive connection after its keep-alive timeout, before a silent one meets the headers deadline', async () => {
    const t = await startTestServer({
      headersTimeoutMs: 3000,
      idleTimeoutMs: 5000,
      keepAliveTimeoutMs: 300,
    })
    const kept = await raw(t)
    kept.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
    const silent = await raw(t)
    const order: string[] = []
    await Promise.all([
      kept.closed.then(() => order.push('kept-alive')),
      silent.closed.then(() => order.push('silent')),
    ])
    expect(kept.received()).toMatch(/^HTTP\/1\.1 200 /)
    // Node adds a second to the keep-alive timeout; the default (5 s) would come after 3 s.
    expect(order).toEqual(['kept-alive', 'silent'])
  })

  it('leaves WebSockets open past every timeout, and normal requests alone', async () => {
    const t = await startTestServer(timeouts)
    const boardId = await t.createBoard('Live')
    const doc = await t.raw(boardId)
    const live = new WebSocket(`${t.url.replace('http', 'ws')}/ws/live`)
    await new Promise((resolve, reject) => {
      live.once('open', resolve)
      live.once('error', reject)
    })
    const cut: string[] = []
    doc.once('close', () => cut.push('doc'))
    live.once('close', () => cut.push('live'))

    // Clocks: a silent connection (headers deadline) and one whose body never comes (idle).
    const silent = await raw(t)
    const idle = await raw(t)
    idle.socket.write(
      `POST /api/media?board=${boardId} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 10\r\n\r\n`,
    )
    await Promise.all([silent.closed, idle.closed])
    // And past the request timeout: a JSON body trickled until it is cut.
    const late = await raw(t)
    late.socket.write(
      'POST /api/workspaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    )
    trickle(late.socket, ' '.repeat(100))
    await late.closed
    expect(late.received()).toMatch(/^HTTP\/1\.1 408 /)

    expect(cut).toEqual([])
    for (const ws of [doc, live]) {
      expect(ws.readyState).toBe(WebSocket.OPEN)
      const pong = new Promise((resolve) => ws.once('pong', resolve))
      ws.ping()
      await pong
    }
    expect((await t.api('/healthz')).status).toBe(200)
    live.close()
  })
})
