/**
 * Sockets of a board another node owns, relayed to that owner over Redis (docs/cluster.md,
 * "Relaying to the owner"). A client may reach any node (the balancer hashes a board's clients
 * to one node, but a board moves when its node dies and a balancer may not hash at all); only
 * the owner runs the board's room. A non-owner keeps the client's socket — the door, the
 * limits, the in-order inbox (DocConnection) — and forwards each message to the owner, where a
 * RemotePeer joins the room as any socket would. What the room sends that peer comes back as
 * is: a relayed update's frame, encoded once by the owner, is written to the client's socket
 * unchanged. So commit-before-relay, guards and presence are the owner's, for every client.
 *
 * Transport: Redis pub/sub, one inbox channel per node, not streams. Streams would keep
 * messages across a subscriber's reconnect; we do not need that: a relayed socket closes the
 * moment either node's Redis connection drops (1012), and the client's reconnect resyncs
 * everything it missed (y-websocket sync step 1), as after any dropped socket. Pub/sub keeps
 * one publisher's messages in order, which is all the y-websocket protocol needs, and costs one
 * hop with nothing to trim. What a node has for another in one turn is one pub/sub message (a
 * binary batch, flushed with no timer: see `post`); a committed update for several relayed
 * clients of one node is one entry naming them all, so the owner publishes it once per node,
 * not per client.
 *
 * Liveness: a non-owner re-reads every relayed board's lease each second (one MGET) and closes
 * its sockets (1012) when the owner changed or is gone, so its clients reconnect and one node
 * claims the board; an owner drops the peers of a node whose registration lapsed (it died).
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Role } from '../../shared/roles.ts'
import type { StampedUser } from '../realtime/awareness.ts'
import type { RoomDoor } from '../realtime/connection.ts'
import type { Room, RoomPeer } from '../realtime/room.ts'
import type { BoardChange, RoomManager } from '../realtime/rooms.ts'
import { applyStored, type StoredDoc } from '../storage/doc-store.ts'
import * as Y from 'yjs'
import { unavailable } from '../errors.ts'
import { ChannelSubscriber } from './redis/channel-subscriber.ts'
import type { RedisConnection } from './redis/connection.ts'
import { encodeId } from './redis/keys.ts'
import type { BoardOwnership } from './redis/ownership.ts'

const enum Kind {
  /** non-owner → owner: a client joined (header: user, role). */
  open = 1,
  /** non-owner → owner: one y-websocket message from the client. */
  in = 2,
  /** non-owner → owner: the client left. */
  leave = 3,
  /** owner → non-owner: one message for the client. */
  message = 4,
  /** owner → non-owner: a pre-encoded WebSocket frame for the client (header: bytes). */
  frame = 5,
  /** owner → non-owner: close the client's socket (header: code, reason). */
  close = 6,
  /** non-owner → owner: apply this update as a server change of the board (header: b). */
  change = 7,
  /** owner → non-owner: the change is committed (ok), or was not (reason). */
  changed = 8,
  /** non-owner → owner: the board's presence, please (header: b). */
  ask = 9,
  /** owner → non-owner: the presence states, as JSON. */
  answer = 10,
}

interface Header {
  /** Connection id, made by the non-owner (for `ask` and `change`, the question's id). */
  c: string
  /** The sending node. */
  n: string
  b?: string
  u?: StampedUser
  r?: Role
  bytes?: number
  code?: number
  reason?: string
  ok?: boolean
}

/** What a message says besides its kind, connection, sender and payload. */
type Fields = Omit<Header, 'c' | 'n'>

/** One message of a batch: to (or from) one or more connections of the same node. */
interface Entry {
  kind: Kind
  /** Connection ids (several only for a frame or message that goes to each of them). */
  ids: string[]
  fields: Fields
  payload: Uint8Array | undefined
}

/** Connection and question ids are randomUUID()s: 36 ASCII characters. */
const ID_BYTES = 36
const BATCH = 0xb1
const NO_FIELDS: Fields = {}
const EMPTY = new Uint8Array(0)

/**
 * A batch: what one node has for another in one turn, as one pub/sub message. Binary, so the
 * hot path (an update in, a frame out) costs no JSON: `0xb1`, the sender's id (u16 length +
 * UTF-8), then per entry: kind (u8), connection count (u8) and ids (36 bytes each), a frame's
 * message bytes (u32), the other fields as JSON (u16 length, usually 0), the payload (u32
 * length + bytes).
 */
function encodeBatch(node: string, entries: readonly Entry[]): Buffer {
  const nodeBytes = Buffer.from(node)
  const fields = entries.map((e) => {
    const rest = fieldsOf(e)
    return rest === NO_FIELDS ? null : Buffer.from(JSON.stringify(rest))
  })
  let size = 3 + nodeBytes.byteLength
  entries.forEach((e, i) => {
    size += 2 + e.ids.length * ID_BYTES + 4 + 2 + (fields[i]?.byteLength ?? 0) + 4
    size += e.payload?.byteLength ?? 0
  })
  const out = Buffer.allocUnsafe(size)
  out[0] = BATCH
  out.writeUInt16BE(nodeBytes.byteLength, 1)
  nodeBytes.copy(out, 3)
  let at = 3 + nodeBytes.byteLength
  entries.forEach((e, i) => {
    out[at++] = e.kind
    out[at++] = e.ids.length
    for (const id of e.ids) {
      if (id.length !== ID_BYTES || out.write(id, at, 'latin1') !== ID_BYTES)
        throw new Error(`bad relay id ${id}`)
      at += ID_BYTES
    }
    at = out.writeUInt32BE(e.kind === Kind.frame ? (e.fields.bytes ?? 0) : 0, at)
    const json = fields[i]
    at = out.writeUInt16BE(json?.byteLength ?? 0, at)
    if (json) at += json.copy(out, at)
    at = out.writeUInt32BE(e.payload?.byteLength ?? 0, at)
    if (e.payload) {
      out.set(e.payload, at)
      at += e.payload.byteLength
    }
  })
  return out
}

/** The fields that go as JSON: none for the hot kinds (a frame's byte count goes as a u32). */
function fieldsOf(e: Entry): Fields {
  if (e.kind === Kind.frame) {
    const { bytes: _bytes, ...rest } = e.fields
    return Object.keys(rest).length === 0 ? NO_FIELDS : rest
  }
  return Object.keys(e.fields).length === 0 ? NO_FIELDS : e.fields
}

function decodeBatch(buffer: Buffer): { node: string; entries: Entry[] } {
  if (buffer[0] !== BATCH) throw new Error('not a relay batch')
  const nodeLength = buffer.readUInt16BE(1)
  const node = buffer.toString('utf8', 3, 3 + nodeLength)
  const entries: Entry[] = []
  let at = 3 + nodeLength
  while (at < buffer.byteLength) {
    const kind = buffer[at++] as Kind
    const count = buffer[at++] as number
    const ids: string[] = []
    for (let i = 0; i < count; i++, at += ID_BYTES)
      ids.push(buffer.toString('latin1', at, at + ID_BYTES))
    const bytes = buffer.readUInt32BE(at)
    const jsonLength = buffer.readUInt16BE(at + 4)
    at += 6
    const fields: Fields =
      jsonLength === 0 ? {} : (JSON.parse(buffer.toString('utf8', at, at + jsonLength)) as Fields)
    at += jsonLength
    const payloadLength = buffer.readUInt32BE(at)
    at += 4
    if (at + payloadLength > buffer.byteLength) throw new Error('relay batch cut short')
    const payload = buffer.subarray(at, at + payloadLength)
    at += payloadLength
    if (kind === Kind.frame) fields.bytes = bytes
    entries.push({ kind, ids, fields, payload })
  }
  return { node, entries }
}

/** The client's side as the non-owner holds it (DocConnection). */
export interface RelayedClient extends RoomPeer {
  readonly role: Role
}

/** The owner's stand-in for a client connected to another node. */
class RemotePeer implements RoomPeer {
  readonly clientIds = new Set<number>()
  /** Messages not handled yet, in order; one drain at a time (as DocConnection's inbox). */
  inbox: Uint8Array[] = []
  draining = false
  closed = false

  constructor(
    readonly id: string,
    readonly node: string,
    readonly boardId: string,
    readonly user: StampedUser,
    public role: Role,
    private readonly post: (kind: Kind, fields: Fields, payload?: Uint8Array) => void,
    private readonly ended: (peer: RemotePeer) => void,
  ) {}

  get canWrite(): boolean {
    return this.role !== 'viewer'
  }

  send(message: Uint8Array): void {
    if (!this.closed) this.post(Kind.message, NO_FIELDS, message)
  }

  sendFrame(frame: Uint8Array, messageBytes: number): void {
    if (!this.closed) this.post(Kind.frame, { bytes: messageBytes }, frame)
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.post(Kind.close, { code, reason })
    this.ended(this)
  }
}

/** What a non-owner gives a connection in place of a room. */
class RelayedRoom implements RoomDoor {
  readonly peers = new Set<RoomPeer>()
  private client: RelayedClient | null = null
  /** The role the owner was last told: a message names it only when it changed. */
  private told: Role | null = null

  constructor(
    readonly boardId: string,
    readonly id: string,
    readonly owner: string,
    private readonly post: (kind: Kind, fields: Fields, payload?: Uint8Array) => void,
    private readonly left: (room: RelayedRoom) => void,
  ) {}

  get connection(): RelayedClient | null {
    return this.client
  }

  join(peer: RoomPeer): void {
    this.client = peer as RelayedClient
    this.peers.add(peer)
    this.told = this.client.role
    this.post(Kind.open, { b: this.boardId, u: peer.user, r: this.told })
  }

  receive(peer: RoomPeer, message: Uint8Array): void {
    const role = (peer as RelayedClient).role
    if (role === this.told) return this.post(Kind.in, NO_FIELDS, message)
    this.told = role
    this.post(Kind.in, { r: role }, message)
  }

  leave(peer: RoomPeer): void {
    this.left(this)
    if (this.peers.delete(peer)) this.post(Kind.leave, NO_FIELDS)
  }
}

export class BoardRelay {
  /** Non-owner side: relayed connections by id. */
  private readonly relayed = new Map<string, RelayedRoom>()
  /** Owner side: remote peers by connection id. */
  private readonly remote = new Map<string, RemotePeer>()
  /** Non-owner side: questions to owners (a change to apply, presence), by id, unanswered. */
  private readonly asked = new Map<string, (answer: unknown) => void>()
  private readonly subscriber: ChannelSubscriber
  private readonly timers: NodeJS.Timeout[] = []
  /** Non-owner: a re-read of the relayed boards' owners is out (one at a time). */
  private checkingOwners = false
  private rooms: RoomManager | null = null
  private visitEnded: (userId: string, room: Room) => void = () => {}

  constructor(
    private readonly redis: RedisConnection,
    private readonly ownership: BoardOwnership,
    private readonly nodeId: string,
    private readonly log: Logger,
    leaseMs: number,
  ) {
    // A dropped subscription may have lost messages: every relayed socket starts over.
    this.subscriber = new ChannelSubscriber(redis, this.inbox(nodeId), {
      message: (message) => this.arrived(message),
      lost: () => this.dropAll(),
      error: (error) => log.warn({ err: error }, 'could not subscribe to this node’s relay inbox'),
    })
    redis.onDown(() => this.dropAll())
    const check = setInterval(() => void this.checkOwners(), Math.min(1000, leaseMs / 2))
    const peers = setInterval(() => void this.checkNodes(), 2000)
    check.unref()
    peers.unref()
    this.timers.push(check, peers)
  }

  private inbox(nodeId: string): string {
    return `${this.redis.keys.prefix}inbox:${encodeId(nodeId)}`
  }

  async start(
    rooms: RoomManager,
    visitEnded: (userId: string, room: Room) => void = () => {},
  ): Promise<void> {
    this.rooms = rooms
    this.visitEnded = visitEnded
    await this.subscriber.start()
  }

  /** Per node, what is to be published to it, in order (one batch per turn). */
  private outbox = new Map<string, Entry[]>()
  /** A flush is queued as a microtask. */
  private flushing = false
  /** A flush is queued for the end of this turn's socket reads (setImmediate). */
  private later: NodeJS.Immediate | null = null

  /**
   * Queues a message for `node`: what a turn has for a node goes as one pub/sub message (one
   * PUBLISH, one Redis round of work, one read on the other side), with nothing waiting for a
   * timer. A client's message to the owner (`in`) is flushed once the event loop has run every
   * socket read of this turn (setImmediate, as the committer gathers a turn's updates), so
   * what all of a node's relayed clients sent together is one message: flushed in a microtask,
   * it was one PUBLISH per socket read, as many as the updates (about 900 a second where 420
   * now go, in the `proxied` benchmark), each waking Redis and the owner on shared cores.
   * Everything else is flushed in a microtask: an owner's frames come one batch per commit
   * already. Either flush sends all that is queued, in order. A frame for several connections
   * of one node (a committed update, encoded once by the owner for all its peers) goes once,
   * with their ids.
   */
  private post(node: string, kind: Kind, id: string, fields: Fields, payload?: Uint8Array): void {
    let entries = this.outbox.get(node)
    if (!entries) this.outbox.set(node, (entries = []))
    const last = entries[entries.length - 1]
    if (
      last &&
      kind === Kind.frame &&
      last.kind === Kind.frame &&
      last.payload === payload &&
      last.fields.bytes === fields.bytes &&
      last.ids.length < 255
    )
      last.ids.push(id)
    else entries.push({ kind, ids: [id], fields, payload })
    if (kind === Kind.in) {
      this.later ??= setImmediate(() => {
        this.later = null
        this.flush()
      })
      return
    }
    if (this.flushing) return
    this.flushing = true
    queueMicrotask(() => this.flush())
  }

  private flush(): void {
    this.flushing = false
    if (this.later) clearImmediate(this.later)
    this.later = null
    if (this.outbox.size === 0) return
    const outbox = this.outbox
    this.outbox = new Map()
    for (const [node, entries] of outbox) {
      let batch: Buffer
      try {
        batch = encodeBatch(this.nodeId, entries)
      } catch (error) {
        this.log.error({ err: error }, 'relay batch not encoded')
        this.failed(entries)
        continue
      }
      this.redis.client.publish(this.inbox(node), batch).catch(() => this.failed(entries))
    }
  }

  /** Redis is away: the connections cannot be kept in order, so they end (and resync). */
  private failed(entries: readonly Entry[]): void {
    for (const entry of entries) {
      if (entry.kind === Kind.close) continue
      for (const id of entry.ids) {
        if (this.relayed.has(id)) this.closeRelayed(id, 1012, 'relay unavailable')
        else this.remote.get(id)?.close(1012, 'relay unavailable')
      }
    }
  }

  /**
   * A room for a client of a board owned elsewhere: its messages go to the owner, whose
   * answers come back to it. Null when nobody owns the board (the caller may claim it).
   */
  async open(boardId: string): Promise<RoomDoor | null> {
    const owner = await this.ownership.ownerOf(boardId)
    if (!owner || owner === this.nodeId) return null
    // The owner's answers come back through this node's inbox: a socket relayed while nobody
    // listens there (just after a reconnect to Redis) would never hear its sync.
    if (!(await this.subscriber.whenListening(2000)))
      throw unavailable('this node cannot reach the board’s node yet; reconnect')
    const id = randomUUID()
    const room = new RelayedRoom(
      boardId,
      id,
      owner,
      (kind, fields, payload) => this.post(owner, kind, id, fields, payload),
      (left) => this.relayed.delete(left.id),
    )
    this.relayed.set(id, room)
    return room
  }

  private arrived(buffer: Buffer): void {
    let decoded
    try {
      decoded = decodeBatch(buffer)
    } catch (error) {
      this.log.error({ err: error }, 'bad relay message')
      return
    }
    const { node, entries } = decoded
    for (const { kind, ids, fields, payload } of entries)
      for (const id of ids) {
        try {
          this.handle(kind, { ...fields, c: id, n: node }, payload ?? EMPTY)
        } catch (error) {
          this.log.error({ err: error, kind }, 'relay message failed')
        }
      }
  }

  private handle(kind: Kind, header: Header, payload: Uint8Array): void {
    if (kind === Kind.message || kind === Kind.frame || kind === Kind.close)
      return this.toClient(kind, header, payload)
    if (kind === Kind.changed)
      return this.answered(
        header.c,
        header.ok ? null : unavailable(header.reason ?? 'the board moved; retry'),
      )
    if (kind === Kind.change) return void this.applyChange(header, payload)
    if (kind === Kind.ask) {
      const states = [...(this.rooms?.loaded(header.b ?? '')?.awareness.states() ?? [])]
      return this.post(
        header.n,
        Kind.answer,
        header.c,
        NO_FIELDS,
        Buffer.from(JSON.stringify(states)),
      )
    }
    if (kind === Kind.answer)
      return this.answered(header.c, JSON.parse(Buffer.from(payload).toString()))
    return this.toRoom(kind, header, payload)
  }

  /** Non-owner: what the owner's room sends a client. */
  private toClient(kind: Kind, header: Header, payload: Uint8Array): void {
    const room = this.relayed.get(header.c)
    // A socket gone here that the owner still serves (its leave was lost while Redis was
    // away, or this node restarted under its id): the owner lets the peer go.
    if (!room && kind !== Kind.close) return this.post(header.n, Kind.leave, header.c, NO_FIELDS)
    const client = room?.connection
    if (!room || !client) return
    if (kind === Kind.message) client.send(payload)
    else if (kind === Kind.frame) client.sendFrame(payload, header.bytes ?? payload.byteLength)
    else this.closeRelayed(header.c, header.code ?? 1012, header.reason ?? 'closed by the owner')
  }

  private closeRelayed(id: string, code: number, reason: string): void {
    const room = this.relayed.get(id)
    if (!room) return
    this.relayed.delete(id)
    room.connection?.close(code, reason)
  }

  /** Owner: a remote client's arrival, message or departure. */
  private toRoom(kind: Kind, header: Header, payload: Uint8Array): void {
    const rooms = this.rooms
    if (!rooms) return
    if (kind === Kind.open) {
      const { b: boardId, u: user, r: role } = header
      if (!boardId || !user || !role) return
      const peer = new RemotePeer(
        header.c,
        header.n,
        boardId,
        user,
        role,
        (k, fields, p) => this.post(header.n, k, header.c, fields, p),
        (ended) => this.endRemote(ended),
      )
      this.remote.set(peer.id, peer)
      // Only the owner serves: a board not (or no longer) ours sends the client elsewhere.
      if (!this.ownership.owns(boardId)) return peer.close(1012, 'board moved; reconnect')
      void rooms.acquire(boardId).then(
        (room) => {
          if (peer.closed) return rooms.release(room)
          room.join(peer)
          void this.drain(peer)
        },
        () => peer.close(1012, 'board moved; reconnect'),
      )
      return
    }
    const peer = this.remote.get(header.c)
    if (!peer) {
      // A client this owner no longer serves (dropped while Redis was away, or the owner
      // restarted under its id) starts over rather than talk to nobody.
      if (kind === Kind.in)
        this.post(header.n, Kind.close, header.c, {
          code: 1012,
          reason: 'the board’s node lost this connection; reconnect',
        })
      return
    }
    if (kind === Kind.leave) return this.endRemote(peer)
    if (header.r) peer.role = header.r
    peer.inbox.push(new Uint8Array(payload))
    void this.drain(peer)
  }

  private async drain(peer: RemotePeer): Promise<void> {
    const room = this.rooms?.loaded(peer.boardId)
    if (!room || !room.peers.has(peer) || peer.draining) return
    peer.draining = true
    try {
      while (peer.inbox.length > 0 && !peer.closed) {
        const pending = room.receive(peer, peer.inbox.shift() as Uint8Array)
        if (pending) await pending
      }
    } catch (error) {
      const code = (error as { code?: unknown }).code
      peer.close(typeof code === 'number' ? code : 1011, (error as Error).message ?? 'failed')
    } finally {
      peer.draining = false
    }
  }

  private endRemote(peer: RemotePeer): void {
    if (peer.closed) return
    peer.closed = true
    this.remote.delete(peer.id)
    const room = this.rooms?.loaded(peer.boardId)
    if (room?.peers.has(peer)) {
      room.leave(peer)
      // As doc-sockets.ts does for its own: the user's last socket to the board ends a visit.
      if (![...room.peers].some((other) => other.user.id === peer.user.id))
        this.visitEnded(peer.user.id, room)
      this.rooms?.release(room)
    }
  }

  /**
   * Non-owner: sockets of boards whose owner changed or is gone start over. Every relayed
   * board's owner is read in one MGET (per 500 boards): this runs every second.
   */
  private async checkOwners(): Promise<void> {
    if (this.checkingOwners || this.relayed.size === 0) return
    this.checkingOwners = true
    try {
      // Only sockets relayed before the read: one opened meanwhile may have found a newer owner.
      const rooms = [...this.relayed.values()]
      let owners: Map<string, string | null>
      try {
        owners = await this.ownership.ownersOf([...new Set(rooms.map((room) => room.boardId))])
      } catch {
        return // Redis is away: dropAll handles it
      }
      for (const room of rooms) {
        if (owners.get(room.boardId) === room.owner) continue
        this.closeRelayed(room.id, 1012, 'board moved; reconnect')
      }
    } finally {
      this.checkingOwners = false
    }
  }

  /** Owner: peers of nodes that died (their registration lapsed) leave. */
  private async checkNodes(): Promise<void> {
    const nodes = new Set([...this.remote.values()].map((peer) => peer.node))
    for (const node of nodes) {
      let alive: number
      try {
        alive = await this.redis.client.exists(this.redis.keys.node(node))
      } catch {
        return
      }
      if (alive) continue
      for (const peer of [...this.remote.values()]) if (peer.node === node) this.endRemote(peer)
    }
  }

  private dropAll(): void {
    for (const id of [...this.relayed.keys()]) this.closeRelayed(id, 1012, 'relay unavailable')
    for (const peer of [...this.remote.values()]) this.endRemote(peer)
  }

  /**
   * A server-side change (a rename, a restore) of a board another node runs: made here on
   * what is committed, its update applied by the owner as its own change; `done` resolves once
   * the owner committed it. Concurrent edits merge as any two Yjs updates do.
   */
  async changeElsewhere(
    boardId: string,
    load: (boardId: string) => Promise<StoredDoc>,
  ): Promise<{ target: BoardChange; done(): Promise<void> } | null> {
    const owner = await this.ownership.ownerOf(boardId)
    if (!owner || owner === this.nodeId) return null
    const doc = new Y.Doc()
    applyStored(doc, await load(boardId))
    const made: Uint8Array[] = []
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === doc) made.push(update)
    })
    const target: BoardChange = {
      doc,
      transactAsServer: (change) => doc.transact(() => change(doc), doc),
    }
    const done = async () => {
      try {
        if (made.length === 0) return
        const error = await this.ask<Error | null>(
          owner,
          Kind.change,
          { b: boardId },
          Y.mergeUpdates(made),
          { ms: 5000, late: unavailable('the board’s node did not answer; retry') },
        )
        if (error) throw error
      } finally {
        doc.destroy()
      }
    }
    return { target, done }
  }

  /** A board's presence, from the node that runs it (empty if none does, or it is silent for 2 s). */
  async presence(boardId: string): Promise<Record<string, unknown>[]> {
    const owner = await this.ownership.ownerOf(boardId).catch(() => null)
    if (!owner || owner === this.nodeId) return []
    return this.ask<Record<string, unknown>[]>(owner, Kind.ask, { b: boardId }, undefined, {
      ms: 2000,
      late: [],
    })
  }

  /** Asks `owner` and waits for its answer: `late` if none comes within `ms`. */
  private ask<T>(
    owner: string,
    kind: Kind,
    fields: Fields,
    payload: Uint8Array | undefined,
    timeout: { ms: number; late: T },
  ): Promise<T> {
    const id = randomUUID()
    return new Promise<T>((resolve) => {
      this.asked.set(id, resolve as (answer: unknown) => void)
      setTimeout(() => {
        if (this.asked.delete(id)) resolve(timeout.late)
      }, timeout.ms).unref()
      this.post(owner, kind, id, fields, payload)
    })
  }

  private answered(id: string, answer: unknown): void {
    const resolve = this.asked.get(id)
    this.asked.delete(id)
    resolve?.(answer)
  }

  /** Owner: applies another node's server change, and tells it when committed. */
  private async applyChange(header: Header, update: Uint8Array): Promise<void> {
    const answer = (ok: boolean, reason?: string) =>
      this.post(header.n, Kind.changed, header.c, reason === undefined ? { ok } : { ok, reason })
    const rooms = this.rooms
    const boardId = header.b
    if (!rooms || !boardId || !this.ownership.owns(boardId)) return answer(false, 'board moved')
    try {
      const copy = new Uint8Array(update)
      await rooms.change(boardId, (room) =>
        room.transactAsServer((doc) => Y.applyUpdate(doc, copy)),
      )
      answer(true)
    } catch (error) {
      answer(false, (error as Error).message)
    }
  }

  /** Whether owners' answers reach this node (for `/readyz`). */
  get listening(): boolean {
    return this.subscriber.listening
  }

  /** Counts for metrics and tests. */
  get counts(): { relayed: number; remote: number } {
    return { relayed: this.relayed.size, remote: this.remote.size }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    for (const id of [...this.relayed.keys()]) this.closeRelayed(id, 1012, 'server stopping')
    for (const peer of [...this.remote.values()]) peer.close(1012, 'server stopping')
    this.flush()
    this.subscriber.stop()
  }
}
