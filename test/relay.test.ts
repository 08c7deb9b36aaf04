/**
 * Relayed updates are frames encoded once per room and written to each socket as they are
 * (server/realtime/relay.ts, server/net/ws-frame.ts). What a client sees of that: the bytes on
 * the wire are the frames `ws` itself writes, and updates committed together arrive in commit
 * order, to everyone but their sender.
 */
import { connect, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as ws from 'ws'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { YMessage, YSync } from '../shared/protocol/y-messages.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { GatedStore } from './gated-store.ts'
import { cleanup, eventually, startTestServer, synced, type TestServer } from './harness.ts'
import { syncUpdate } from './wire.ts'

afterEach(cleanup)

/** ws's frame encoder (exported at run time; @types/ws leaves it out). */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] }
}

interface Frame {
  opcode: number
  payload: Buffer
  /** The frame's bytes exactly as they came off the wire. */
  raw: Buffer
}

/** A document socket opened by hand over TCP, keeping every byte the server sends. */
async function rawDocSocket(t: TestServer, boardId: string) {
  const { port } = new URL(t.url)
  const socket: Socket = connect(Number(port), '127.0.0.1')
  const frames: Frame[] = []
  let buffered = Buffer.alloc(0)
  let upgraded = false
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n')
      if (end < 0) return
      expect(buffered.subarray(0, 12).toString()).toBe('HTTP/1.1 101')
      buffered = buffered.subarray(end + 4)
      upgraded = true
    }
    // Server frames: FIN + opcode, unmasked, 7/16/64-bit length (RFC 6455 §5.2).
    for (;;) {
      if (buffered.length < 2) return
      let length = buffered[1]! & 0x7f
      let header = 2
      if (length === 126) {
        if (buffered.length < 4) return
        length = buffered.readUInt16BE(2)
        header = 4
      } else if (length === 127) {
        if (buffered.length < 10) return
        length = Number(buffered.readBigUInt64BE(2))
        header = 10
      }
      if (buffered.length < header + length) return
      const raw = Buffer.from(buffered.subarray(0, header + length))
      frames.push({ opcode: raw[0]! & 0x0f, payload: raw.subarray(header), raw })
      buffered = buffered.subarray(header + length)
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(
    [
      `GET /ws/doc/${boardId} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  )
  return { socket, frames }
}

/** The y-websocket update carried by a frame, or null for any other message. */
function updateOf(payload: Uint8Array): Uint8Array | null {
  const decoder = decoding.createDecoder(payload)
  if (decoding.readVarUint(decoder) !== YMessage.sync) return null
  if (decoding.readVarUint(decoder) !== YSync.update) return null
  return decoding.readVarUint8Array(decoder)
}

/** The top-level map keys an update writes, in the order its structs carry them. */
function keysOf(update: Uint8Array): string[] {
  return Y.decodeUpdate(update)
    .structs.filter((s): s is Y.Item => s instanceof Y.Item)
    .map((s) => s.parentSub ?? '')
}

/** Update messages a `ws` client receives, as the keys each one writes. */
function collect(socket: WebSocket): string[][] {
  const got: string[][] = []
  socket.on('message', (data: Buffer) => {
    const update = updateOf(data)
    if (update) got.push(keysOf(update))
  })
  return got
}

/** An update that sets one key of the map `relay` on a writer's own document. */
function set(doc: Y.Doc, key: string): Uint8Array {
  let update: Uint8Array | null = null
  const capture = (u: Uint8Array) => (update = u)
  doc.once('update', capture)
  doc.getMap('relay').set(key, key)
  if (!update) throw new Error('no update')
  return update
}

describe('relayed updates on the wire', () => {
  it('are the frames ws would write for them, byte for byte, and carry the update whole', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const { socket, frames } = await rawDocSocket(t, boardId)
    await eventually(() => expect(frames.length).toBeGreaterThan(0))

    const writer = new Y.Doc()
    await synced(t.provider(boardId, writer))
    createTask(writer, { id: 'small', title: 'a title', order: 'a0', createdBy: 'local' })
    // Over 125 bytes of message, so the 16-bit length form is on the wire too.
    createTask(writer, { id: 'long', title: 'x'.repeat(400), order: 'a1', createdBy: 'local' })

    const relayed = () => frames.filter((f) => updateOf(f.payload) !== null)
    await eventually(() => expect(relayed().length).toBe(2))
    for (const frame of frames) {
      const byWs = Sender.frame(Buffer.from(frame.payload), {
        fin: true,
        opcode: frame.opcode,
        mask: false,
        readOnly: false,
        rsv1: false,
      })
      expect(Buffer.compare(frame.raw, Buffer.concat(byWs))).toBe(0)
    }
    expect(relayed().some((f) => f.payload.length > 125)).toBe(true)
    const reader = new Y.Doc()
    for (const f of relayed()) Y.applyUpdate(reader, updateOf(f.payload) as Uint8Array)
    expect(board(reader).tasks.get('long')?.get('title')).toBe('x'.repeat(400))
    expect(board(reader).tasks.get('small')?.get('title')).toBe('a title')
    socket.destroy()
  })

  it('committed together, reach every peer in commit order and never go back to their sender', async () => {
    let store!: GatedStore
    const t = await startTestServer({ docStore: (db) => (store = new GatedStore(db)) })
    const boardId = await t.createBoard()
    const [a, b, reader] = await Promise.all([t.raw(boardId), t.raw(boardId), t.raw(boardId)])
    const [gotA, gotB, gotReader] = [collect(a), collect(b), collect(reader)]
    const [docA, docB] = [new Y.Doc(), new Y.Doc()]
    await eventually(() => expect(t.server.rooms.loaded(boardId)?.peers.size).toBe(3))

    const release = store.hold()
    a.send(syncUpdate(set(docA, 'a1')))
    await eventually(() => expect(store.waiting).toBe(1))
    // While the first commit is held, the next three queue up as one batch behind it.
    b.send(syncUpdate(set(docB, 'b1')))
    a.send(syncUpdate(set(docA, 'a2')))
    b.send(syncUpdate(set(docB, 'b2')))
    const room = t.server.rooms.loaded(boardId)
    await eventually(() => expect(room?.doc.getMap('relay').size).toBe(4))
    expect([gotA, gotB, gotReader]).toEqual([[], [], []])
    release()

    // Sockets are read in no set order, so the commit order is read back from the log.
    const ours = new Set(['a1', 'b1', 'a2', 'b2'])
    const committed = () => {
      const db = new Database(t.server.dbFile, { readonly: true })
      try {
        return db
          .prepare<[string], { data: Buffer }>(
            'SELECT data FROM doc_updates WHERE board_id = ? ORDER BY seq',
          )
          .all(boardId)
          .flatMap((row) => keysOf(row.data).filter((key) => ours.has(key)))
      } finally {
        db.close()
      }
    }
    await eventually(() => expect(gotReader.flat()).toHaveLength(4))
    const order = committed()
    expect(order).toHaveLength(4)
    expect(order[0]).toBe('a1')
    expect(gotReader.flat()).toEqual(order)
    // A last update from each: once a writer has the other's, it has everything sent before.
    b.send(syncUpdate(set(docB, 'b3')))
    await eventually(() =>
      expect(gotA.flat()).toEqual([...order.filter((k) => k[0] === 'b'), 'b3']),
    )
    a.send(syncUpdate(set(docA, 'a3')))
    await eventually(() =>
      expect(gotB.flat()).toEqual([...order.filter((k) => k[0] === 'a'), 'a3']),
    )
  })
})
