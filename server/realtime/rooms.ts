/**
 * Loads rooms on first use and unloads them once idle, so memory follows the boards in use,
 * not every board ever opened. Loading is shared: peers that arrive while a board loads wait
 * for the same load.
 */
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { applyStored } from '../storage/doc-store.ts'
import { unavailable } from '../errors.ts'
import { memoryLetGo } from '../heap-at-rest.ts'
import { Room, type RoomDeps } from './room.ts'

/** What a server-side change of a board touches: its document, and changes as the server. */
export interface BoardChange {
  readonly doc: Y.Doc
  transactAsServer(change: (doc: Y.Doc) => void): void
}

/**
 * Cluster mode: the board failed to load here because another node runs it (`error` says so);
 * a change target whose `done` resolves once the owner committed what was done to it, or null.
 */
export type ChangeElsewhere = (
  boardId: string,
  error: unknown,
) => Promise<{ target: BoardChange; done(): Promise<void> } | null>

/**
 * Once this many rooms were put away, or documents this large (encoded; in memory they are
 * several times that), the memory is asked back (heap-at-rest.ts); less is not worth a full
 * collection.
 */
const LET_GO_ROOMS = 32
const LET_GO_BYTES = 4 * 1024 * 1024

interface Slot {
  room: Promise<Room>
  loaded: Room | null
  idleTimer: NodeJS.Timeout | null
  /** Users of the slot (peers and server-side changes in progress). */
  holds: number
}

export class RoomManager {
  private readonly slots = new Map<string, Slot>()
  private readonly deps: RoomDeps

  private readonly hibernateTimer: NodeJS.Timeout

  constructor(
    deps: Omit<RoomDeps, 'evicted'>,
    private readonly timing: { idleMs: number; hibernateMs: number },
    private readonly log: Logger,
  ) {
    this.deps = { ...deps, evicted: (room) => this.dropEvicted(room) }
    // Looked at every second (a look at thousands of rooms takes well under a millisecond), so
    // a board is put away within a second of its idle time, not up to half of it later.
    this.hibernateTimer = setInterval(
      () => this.hibernateIdle(),
      Math.max(50, Math.min(1000, timing.hibernateMs / 2)),
    )
    this.hibernateTimer.unref()
  }

  /** Rooms put away, and their encoded bytes, since the heap keeper was last told. */
  private putAway = { rooms: 0, bytes: 0 }

  /**
   * Puts away the documents of boards nobody changed for `hibernateMs`. What they let go (each
   * a whole Y.Doc) would stay in the old generation until V8's next full collection, which a
   * server at rest hardly makes: once enough was put away, the process's heap keeper is told.
   */
  private hibernateIdle(): void {
    const putAway = this.putAway
    for (const room of this.rooms()) {
      const kept = room.hibernate(this.timing.hibernateMs)
      if (kept === 0) continue
      putAway.rooms++
      putAway.bytes += kept
    }
    if (putAway.rooms < LET_GO_ROOMS && putAway.bytes < LET_GO_BYTES) return
    this.putAway = { rooms: 0, bytes: 0 }
    memoryLetGo()
  }

  /** Rooms currently in memory. */
  get size(): number {
    return this.slots.size
  }

  /** A loaded room, if any (presence reads this; it never loads). */
  loaded(boardId: string): Room | undefined {
    return this.slots.get(boardId)?.loaded ?? undefined
  }

  *rooms(): Iterable<Room> {
    for (const slot of this.slots.values()) if (slot.loaded) yield slot.loaded
  }

  /** Takes a hold on a board's room, loading it if needed; pair with `release`. */
  async acquire(boardId: string): Promise<Room> {
    let slot = this.slots.get(boardId)
    if (!slot) {
      const created: Slot = {
        room: this.load(boardId),
        loaded: null,
        idleTimer: null,
        holds: 0,
      }
      slot = created
      this.slots.set(boardId, created)
      created.room.then(
        (room) => (created.loaded = room),
        () => this.slots.get(boardId) === created && this.slots.delete(boardId),
      )
    }
    slot.holds++
    if (slot.idleTimer) {
      clearTimeout(slot.idleTimer)
      slot.idleTimer = null
    }
    let room: Room
    try {
      room = await slot.room
    } catch (error) {
      slot.holds--
      throw error
    }
    // Dropped while it loaded (cluster mode: the lease went): the room is destroyed, and the
    // caller is told to try again, where the board is served now.
    if (this.slots.get(boardId) !== slot)
      throw unavailable('board moved to another node; reconnect')
    return room
  }

  /** Claims the board for this node where the store asks for it (cluster mode), then loads it. */
  private async load(boardId: string): Promise<Room> {
    await this.deps.store.claim?.(boardId)
    try {
      return await Room.load(boardId, this.deps)
    } catch (error) {
      this.deps.store.unloaded?.(boardId)
      throw error
    }
  }

  /**
   * The board is no longer this node's to serve (cluster mode: its lease was lost): its
   * clients are closed with `code` so they reconnect to whoever serves it now, and the room
   * is dropped with nothing more relayed or committed (a commit in flight is refused by the
   * store's fencing anyway).
   */
  drop(boardId: string, code: number, reason: string): void {
    const slot = this.slots.get(boardId)
    if (!slot) return
    this.slots.delete(boardId)
    if (slot.idleTimer) clearTimeout(slot.idleTimer)
    void slot.room.then(
      (room) => {
        for (const peer of [...room.peers]) peer.close(code, reason)
        room.destroy()
      },
      () => {},
    )
  }

  release(room: Room): void {
    const slot = this.slots.get(room.boardId)
    if (!slot || slot.loaded !== room) return
    slot.holds--
    if (slot.holds > 0) return
    if (this.timing.idleMs === 0) void this.unload(slot, room)
    else slot.idleTimer = setTimeout(() => void this.unload(slot, room), this.timing.idleMs)
  }

  private elsewhere: ChangeElsewhere | null = null
  private presenceElsewhere: ((boardId: string) => Promise<Record<string, unknown>[]>) | null = null

  /** Cluster mode: where changes of boards another node runs go (cluster/board-relay.ts). */
  changesElsewhere(handler: ChangeElsewhere): void {
    this.elsewhere = handler
  }

  /** Cluster mode: who asks the node that runs a board for its presence. */
  presentElsewhere(handler: (boardId: string) => Promise<Record<string, unknown>[]>): void {
    this.presenceElsewhere = handler
  }

  /** The board's presence states: its room's here, or (cluster mode) its owner's; never loads. */
  async presence(boardId: string): Promise<Record<string, unknown>[]> {
    const room = this.loaded(boardId)
    if (room) return [...room.awareness.states()]
    return (await this.presenceElsewhere?.(boardId)) ?? []
  }

  /**
   * Runs a server-side change on a board, loaded only for as long as it takes; in cluster
   * mode, on the node that runs the board when that is another one.
   */
  async change(boardId: string, fn: (room: BoardChange) => void): Promise<void> {
    let room: Room
    try {
      room = await this.acquire(boardId)
    } catch (error) {
      const remote = await this.elsewhere?.(boardId, error)
      if (!remote) throw error
      fn(remote.target)
      return remote.done()
    }
    try {
      fn(room)
      await room.whenCommitted()
    } finally {
      this.release(room)
    }
  }

  /**
   * Reads a board's document: its room's, loading it here if nobody runs it; in cluster mode,
   * when another node runs it, what is committed.
   */
  async read<T>(boardId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    let room: Room
    try {
      room = await this.acquire(boardId)
    } catch (error) {
      if (!this.elsewhere) throw error
      const doc = new Y.Doc()
      try {
        applyStored(doc, await this.deps.store.load(boardId))
        return fn(doc)
      } finally {
        doc.destroy()
      }
    }
    try {
      return fn(room.doc)
    } finally {
      this.release(room)
    }
  }

  private async unload(slot: Slot, room: Room): Promise<void> {
    slot.idleTimer = null
    await room.whenCommitted().catch(() => {})
    // Fold the log now (off the event loop), so the next load serves one stored snapshot as it
    // is instead of building the document from snapshot and rows.
    if (room.updatesSinceSnapshot > 0) await room.compactAll()
    if (slot.holds > 0 || this.slots.get(room.boardId) !== slot) return
    this.slots.delete(room.boardId)
    room.destroy()
    this.deps.store.unloaded?.(room.boardId)
    this.log.debug({ boardId: room.boardId }, 'room unloaded')
  }

  private dropEvicted(room: Room): void {
    const slot = this.slots.get(room.boardId)
    if (slot?.loaded !== room) return room.destroy()
    this.slots.delete(room.boardId)
    room.destroy()
    this.deps.store.unloaded?.(room.boardId)
  }

  /**
   * Waits for every commit, folds each room's log into a snapshot (so the next start loads
   * one row per board), and unloads everything. Peers are closed by then.
   */
  async closeAll(): Promise<void> {
    clearInterval(this.hibernateTimer)
    const rooms = [...this.rooms()]
    for (const slot of this.slots.values()) if (slot.idleTimer) clearTimeout(slot.idleTimer)
    for (const room of rooms) {
      // An evicted room has nothing more to store; its clients resend what it lost.
      await room.whenCommitted().catch(() => {})
      if (room.updatesSinceSnapshot > 0) await room.compactAll()
      room.destroy()
    }
    this.slots.clear()
  }
}
