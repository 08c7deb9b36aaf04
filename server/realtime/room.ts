/**
 * A room owns everything about one loaded board: its Y.Doc, its awareness, its peers, and
 * the path every change takes — validate, apply, commit, then relay (docs/product.md, "Document
 * socket"). Nothing another client can see is uncommitted: updates are relayed from the
 * commit callback, and a sync step 2 is answered only when no update is waiting to commit.
 */
import * as decoding from 'lib0/decoding'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { YMessage, YSync } from '../../shared/protocol/y-messages.ts'
import { board } from '../../shared/schema/board.ts'
import { applyStored, foldStored, type DocStore } from '../storage/doc-store.ts'
import { FencedError } from '../storage/fenced.ts'
import type { Role } from '../../shared/roles.ts'
import { lockKey, type LockHolder } from '../../shared/protocol/locks.ts'
import { deriveFromTransaction, type Derived } from '../events/derive.ts'
import {
  anythingRefused,
  applyGuarded,
  keepPendingAsIs,
  needsGuard,
  nothingRefused,
  withoutRefused,
} from './edit-guard.ts'
import type { LockedEntities } from './lock-guard.ts'
import { permissionDeniedFrame, syncStep1Frame, syncStep2Frame, updateFrame } from './y-frames.ts'
import { RoomAwareness, type AwarenessOwner, type StampedUser } from './awareness.ts'
import { broadcast, Relay, type RelayPeer } from './relay.ts'
import type { GroupCommitter } from './committer.ts'
import { malformed, ProtocolError } from './errors.ts'
import { unavailable } from '../errors.ts'

/** A connection as the room sees it. */
export interface RoomPeer extends AwarenessOwner, RelayPeer {
  readonly canWrite: boolean
  /** A reviewer's changes are checked against what the role allows (role-guard.ts). */
  readonly role: Role
  send(message: Uint8Array): void
  close(code: number, reason: string): void
}

/** A large update's slices are applied for at most this long per event-loop turn. */
const SLICE_BUDGET_MS = 5

/** Origin of changes the server makes itself (board rename, seeding). */
export const SERVER_ORIGIN = Symbol('server')

export interface RoomDeps {
  /** Told, once nothing waits for a commit, whose changes are now durable (and up to what). */
  committedFor?: (boardId: string, userIds: ReadonlySet<string>, stateVector: Uint8Array) => void
  /** Entity locks, enforced on the document: edits by others than the holder are reverted. */
  locks?: {
    lockedByOthers(boardId: string, userId: string): LockedEntities | null
    violated(userId: string, key: string, holder: LockHolder): void
  }
  /** Told where a reviewer's changes were refused and reverted (`tasks/<id>/title`, …). */
  forbidden?: (userId: string, paths: readonly string[]) => void
  /** Told what each committed change by a connection means (events, notifications). */
  activity?: (boardId: string, actor: StampedUser, derived: Derived) => void
  store: DocStore
  committer: GroupCommitter
  log: Logger
  maxDocBytes: number
  maxAwarenessBytes: number
  awarenessFlushMs: number
  compactAfterUpdates: number
  stats: { accepted(bytes: number): void; rejected(): void }
  /** The room can no longer be trusted to match storage; its manager must drop it. */
  evicted(room: Room): void
  /** A stored update of this board did not apply on load and was skipped. */
  skippedRow?: (boardId: string) => void
  /** Updates over `minBytes` are sliced off the event loop and applied a slice per turn. */
  large?: { minBytes: number; slicer: { slice(update: Uint8Array): Promise<Uint8Array[]> } }
}

type Origin = RoomPeer | typeof SERVER_ORIGIN

export class Room {
  /** The document, built on first need (see `doc`). */
  private built: Y.Doc | null = null
  /**
   * The stored snapshot while the document is not built yet. A board that was folded into
   * one snapshot (every clean stop and idle unload does that) can serve new clients its
   * bytes as they are, so opening a large board after a restart costs no Yjs work at all.
   */
  private lazy: { state: Uint8Array; stateVector: Uint8Array } | null = null
  /** The full state, encoded once for every client that joins with nothing. */
  private fullState: Uint8Array | null = null
  /** When the document last changed (monotonic ms), for hibernation. */
  private changedAt = performance.now()
  readonly awareness: RoomAwareness
  readonly peers = new Set<RoomPeer>()
  /**
   * Committed updates on their way to the peers, a commit batch per write (relay.ts). Made at
   * the first relayed update and let go when the board hibernates: a room at rest keeps none.
   */
  private relay: Relay | null = null
  /** Updates applied in memory whose commit has not completed. */
  private uncommitted = 0
  private commitWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = []
  /** Users whose changes were committed since they were last told (made when there are some). */
  private committedFor: Set<string> | null = null
  /** Doc updates produced by the apply in progress; enqueued only if it succeeds. */
  private captured: { updates: Uint8Array[]; derived: Derived[] } | null = null
  private storedBytes: number
  private logLength: number
  private compacting = false
  /** The compaction running or last run; the next one starts after it. */
  private compactions: Promise<boolean> = Promise.resolve(true)
  private awarenessTimer: NodeJS.Timeout | NodeJS.Immediate | null = null
  private evicted = false
  private destroyed = false

  private constructor(
    readonly boardId: string,
    private readonly deps: RoomDeps,
    storedBytes: number,
    logLength: number,
  ) {
    this.storedBytes = storedBytes
    this.logLength = logLength
    this.awareness = new RoomAwareness({
      maxStateBytes: deps.maxAwarenessBytes,
      maxClientsPerConnection: 4,
    })
  }

  /** The board's document, built from the stored snapshot the first time it is needed. */
  get doc(): Y.Doc {
    if (this.built) return this.built
    const doc = new Y.Doc({ gc: true })
    // Define the board's top-level types first: a type an update creates is untyped until
    // someone asks for it, and asking later swaps the instance under the observers.
    board(doc)
    if (this.lazy) Y.applyUpdate(doc, this.lazy.state, SERVER_ORIGIN)
    this.lazy = null
    doc.on('update', (update: Uint8Array) => {
      this.fullState = null
      this.changedAt = performance.now()
      this.captured?.updates.push(update)
    })
    // What a connection's change means (events, notifications) is read before Yjs cleans up
    // the transaction, and reported once the change is committed.
    doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (!this.captured || !this.deps.activity || !isPeer(transaction.origin)) return
      const derived = deriveFromTransaction(doc, transaction)
      if (derived.events.length > 0 || derived.notify.length > 0)
        this.captured.derived.push(derived)
    })
    this.built = doc
    return doc
  }

  /** Loads a board from storage; peers join only once it holds the full stored state. */
  static async load(boardId: string, deps: RoomDeps): Promise<Room> {
    const stored = await deps.store.load(boardId)
    const room = new Room(boardId, deps, stored.bytes, stored.updates.length)
    if (stored.state && stored.stateVector && stored.updates.length === 0) {
      room.lazy = { state: stored.state, stateVector: stored.stateVector }
      room.fullState = stored.state
      return room
    }
    try {
      applyStored(room.doc, stored, SERVER_ORIGIN)
    } catch (error) {
      // One bad row must not make the whole board unreadable: apply what does apply.
      deps.log.error({ err: error, boardId }, 'stored board does not apply; loading row by row')
      for (const part of stored.state ? [stored.state, ...stored.updates] : stored.updates) {
        try {
          Y.applyUpdate(room.doc, part, SERVER_ORIGIN)
        } catch (partError) {
          deps.log.error(
            { err: partError, boardId },
            'skipping a stored update that does not apply',
          )
          deps.skippedRow?.(boardId)
        }
      }
    }
    return room
  }

  join(peer: RoomPeer): void {
    this.peers.add(peer)
    peer.send(syncStep1Frame(this.lazy ? this.lazy.stateVector : Y.encodeStateVector(this.doc)))
    const everyone = this.awareness.encodeAll()
    if (everyone) peer.send(everyone)
  }

  leave(peer: RoomPeer): void {
    if (!this.peers.delete(peer)) return
    this.awareness.removeOwner(peer)
    this.scheduleAwarenessFlush()
  }

  /** Handles one y-websocket message; a returned promise must settle before the next one. */
  receive(peer: RoomPeer, message: Uint8Array): void | Promise<void> {
    const decoder = decoding.createDecoder(message)
    let type: number
    try {
      type = decoding.readVarUint(decoder)
    } catch {
      throw malformed('empty or truncated message')
    }
    switch (type) {
      case YMessage.sync:
        return this.receiveSync(peer, decoder)
      case YMessage.awareness:
        return this.applyAwareness(peer, readBytes(decoder, 'awareness'))
      case YMessage.queryAwareness: {
        const everyone = this.awareness.encodeAll()
        if (everyone) peer.send(everyone)
        return
      }
      default:
        throw malformed(`unknown message type ${type}`)
    }
  }

  private receiveSync(peer: RoomPeer, decoder: decoding.Decoder): void | Promise<void> {
    let type: number
    try {
      type = decoding.readVarUint(decoder)
    } catch {
      throw malformed('truncated sync message')
    }
    switch (type) {
      case YSync.step1: {
        const stateVector = readBytes(decoder, 'sync step 1')
        if (this.uncommitted === 0) return peer.send(this.encodeStep2(stateVector))
        return this.whenCommitted().then(() => peer.send(this.encodeStep2(stateVector)))
      }
      case YSync.step2:
      case YSync.update:
        return this.receiveUpdate(peer, readBytes(decoder, 'sync update'))
      default:
        throw malformed(`unknown sync message type ${type}`)
    }
  }

  private encodeStep2(stateVector: Uint8Array): Uint8Array {
    let update: Uint8Array
    try {
      // A client with nothing (an empty state vector is the single byte 0) gets everything.
      const hasNothing = stateVector.byteLength === 1 && stateVector[0] === 0
      if (hasNothing) update = this.encodeState()
      else update = Y.encodeStateAsUpdate(this.doc, stateVector)
    } catch {
      throw malformed('state vector does not decode')
    }
    return syncStep2Frame(update)
  }

  private receiveUpdate(peer: RoomPeer, update: Uint8Array): void | Promise<void> {
    if (!peer.canWrite) return this.refuseWrite(peer, update)
    if (update.byteLength === 0) throw malformed('empty update')
    if (this.storedBytes + update.byteLength > this.deps.maxDocBytes) {
      this.deps.stats.rejected()
      throw new ProtocolError(CloseCode.tooLarge, 'board is at its size limit')
    }
    const { large } = this.deps
    if (large && update.byteLength > large.minBytes) return this.receiveLarge(peer, update, large)
    let decoded: ReturnType<typeof Y.decodeUpdate>
    try {
      // Parses every struct and the delete set without touching the document, so garbage
      // is refused before it can be half-applied to the document.
      decoded = Y.decodeUpdate(update)
    } catch {
      this.deps.stats.rejected()
      throw malformed('update does not decode')
    }
    // A client with nothing new answers the server's sync step 1 with an empty update.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return
    this.applyFromPeer(peer, [update])
    this.deps.stats.accepted(update.byteLength)
  }

  /**
   * A large update is decoded and cut into slices on a worker thread, then applied one slice
   * per event-loop turn: other boards, and this board's other clients, are served in between,
   * and each slice is committed, then relayed, like any update. The sender's next message
   * waits (the connection awaits this), so its own order holds.
   */
  private async receiveLarge(
    peer: RoomPeer,
    update: Uint8Array,
    large: NonNullable<RoomDeps['large']>,
  ): Promise<void> {
    let slices: Uint8Array[]
    try {
      slices = await large.slicer.slice(update)
    } catch {
      this.deps.stats.rejected()
      throw malformed('update does not decode')
    }
    for (let next = 0; next < slices.length;) {
      if (next > 0) await new Promise((resolve) => setImmediate(resolve))
      // An evicted room is gone: the sender resends what was not committed on reconnect.
      if (this.evicted || this.destroyed) return
      // As many slices as fit a few milliseconds, as one transaction (one commit, one relay).
      next += this.applyFromPeer(peer, slices.slice(next), SLICE_BUDGET_MS)
    }
    this.deps.stats.accepted(update.byteLength)
  }

  /**
   * Applies decoded, checked updates of a connection — locks enforced — as one transaction,
   * then commits and relays it. With a time budget it stops after the update that uses it up
   * (always applying at least one); returns how many it applied.
   */
  private applyFromPeer(
    peer: RoomPeer,
    updates: readonly Uint8Array[],
    budgetMs = Infinity,
  ): number {
    const store = this.doc.store
    const pendingBefore = [store.pendingStructs?.update, store.pendingDs]
    const started = performance.now()
    let applied = 0
    const applyAll = (doc: Y.Doc) =>
      doc.transact(() => {
        do Y.applyUpdate(doc, updates[applied++] as Uint8Array, peer)
        while (applied < updates.length && performance.now() - started < budgetMs)
      }, peer)
    const guards = {
      locked: this.deps.locks?.lockedByOthers(this.boardId, peer.user.id) ?? null,
      reviewer: peer.role === 'reviewer' ? peer.user.id : null,
    }
    // What Yjs holds back would later apply inside someone else's transaction, past this
    // connection's guards (a delete of a lock holder's next structs, say): a guarded update
    // applies whole or its held-back part is dropped (the client sends it again on its next sync).
    const putPendingBack = needsGuard(guards) ? keepPendingAsIs(store) : null
    if (needsGuard(guards)) {
      let refused = nothingRefused
      this.applyAndCommit(peer, (doc) => {
        refused = applyGuarded(doc, peer, guards, () => applyAll(doc))
        // What was reverted did not happen: no events or notifications for it.
        if (anythingRefused(refused) && this.captured)
          this.captured.derived = this.captured.derived.map((d) => withoutRefused(d, refused))
        return anythingRefused(refused)
      })
      for (const [entity, holder] of refused.locked)
        this.deps.locks?.violated(peer.user.id, lockKey(this.boardId, entity), holder)
      if (refused.forbidden.length > 0) this.deps.forbidden?.(peer.user.id, refused.forbidden)
    } else {
      this.applyAndCommit(peer, applyAll)
    }
    // Yjs keeps structs whose dependencies have not arrived as pending and leaves them out
    // of the update event; when these updates added to them, store them raw too so they
    // survive a crash (they are relayed with the update that completes them).
    const pendingAfter = [store.pendingStructs?.update, store.pendingDs]
    if (
      (pendingAfter[0] || pendingAfter[1]) &&
      (pendingAfter[0] !== pendingBefore[0] || pendingAfter[1] !== pendingBefore[1])
    ) {
      if (putPendingBack) {
        putPendingBack()
        return applied
      }
      const raw = updates.slice(0, applied)
      this.enqueue(raw.length === 1 ? (raw[0] as Uint8Array) : Y.mergeUpdates(raw), peer, false)
    }
    return applied
  }

  /** A viewer's write: never applied; told so when it would have changed something. */
  private refuseWrite(peer: RoomPeer, update: Uint8Array): void {
    // Too large to look into on the event loop: it is refused either way.
    const large = this.deps.large && update.byteLength > this.deps.large.minBytes
    if (!large) {
      let adds: boolean
      try {
        const decoded = Y.decodeUpdate(update)
        adds = decoded.structs.length > 0 || decoded.ds.clients.size > 0
        if (adds) adds = !Y.snapshotContainsUpdate(Y.snapshot(this.doc), update)
      } catch {
        throw malformed('update does not decode')
      }
      if (!adds) return
    }
    this.deps.stats.rejected()
    peer.send(permissionDeniedFrame('read-only: viewers cannot edit this board'))
  }

  /** Applies a change the server makes itself, through the same commit-then-relay path. */
  transactAsServer(change: (doc: Y.Doc) => void): void {
    this.applyAndCommit(SERVER_ORIGIN, (doc) => doc.transact(() => change(doc), SERVER_ORIGIN))
  }

  /**
   * Applies a change, then commits and relays what it produced. With `merge`, everything the
   * apply produced (a connection's update and the server's revert of part of it) is stored and
   * relayed as one update, to the sender too, so nobody sees the reverted state in between.
   */
  private applyAndCommit(origin: Origin, apply: (doc: Y.Doc) => boolean | void): void {
    const captured = { updates: [] as Uint8Array[], derived: [] as Derived[] }
    const doc = this.doc
    this.captured = captured
    let merge: boolean | void
    try {
      merge = apply(doc)
    } catch (error) {
      if (captured.updates.length > 0) this.evict('an update failed after changing the document')
      this.deps.stats.rejected()
      throw malformed(`update cannot be applied: ${(error as Error).message}`)
    } finally {
      this.captured = null
    }
    if (merge && captured.updates.length > 1) {
      this.enqueue(Y.mergeUpdates(captured.updates), origin, true, captured.derived, true)
      return
    }
    captured.updates.forEach((update, i) => {
      const last = i === captured.updates.length - 1
      this.enqueue(update, origin, true, last ? captured.derived : [])
    })
  }

  private enqueue(
    update: Uint8Array,
    origin: Origin,
    relay: boolean,
    derived: Derived[] = [],
    echo = false,
  ): void {
    this.uncommitted++
    this.storedBytes += update.byteLength
    const userId = origin === SERVER_ORIGIN ? null : origin.user.id
    this.deps.committer.enqueue(
      { boardId: this.boardId, data: update, userId },
      { committed: (error) => this.committed(error, relay ? update : null, origin, derived, echo) },
    )
  }

  private committed(
    error: Error | null,
    update: Uint8Array | null,
    origin: Origin,
    derived: Derived[],
    echo: boolean,
  ): void {
    this.uncommitted--
    if (error instanceof FencedError) {
      // Cluster mode: another node owns the board now. Nothing of this update was stored or
      // relayed; its sender sends it again to the new owner when it reconnects.
      this.evict(
        'board moved to another node',
        CloseCode.serverStopping,
        'board moved to another node; reconnect',
        'info',
      )
      return
    }
    if (error) {
      // Nothing of this update was relayed; its sender still has it and sends it again when
      // it reconnects, which the door allows once storage works again (store-health.ts).
      this.deps.log.error({ err: error, boardId: this.boardId }, 'commit failed')
      this.evict('storage failed', CloseCode.storageUnavailable, 'storage unavailable, retry later')
      return
    }
    this.logLength++
    if (update && !this.evicted) {
      this.relay ??= new Relay(this.peers, () => !this.evicted && !this.destroyed)
      this.relay.queue(updateFrame(update), echo || origin === SERVER_ORIGIN ? null : origin)
    }
    if (origin !== SERVER_ORIGIN) {
      for (const change of derived) this.deps.activity?.(this.boardId, origin.user, change)
    }
    if (origin !== SERVER_ORIGIN) (this.committedFor ??= new Set()).add(origin.user.id)
    if (this.uncommitted === 0 && this.committedFor && this.deps.committedFor) {
      // Nothing is waiting, so the document's state vector is exactly what is on disk.
      this.deps.committedFor(this.boardId, this.committedFor, Y.encodeStateVector(this.doc))
      this.committedFor = null
    }
    if (this.uncommitted === 0 && this.commitWaiters.length > 0) {
      const waiters = this.commitWaiters
      this.commitWaiters = []
      for (const { resolve } of waiters) resolve()
    }
    if (this.logLength >= this.deps.compactAfterUpdates) this.scheduleCompaction()
  }

  /** The whole board as one update, encoded once per change (and not rebuilt to get it). */
  encodeState(): Uint8Array {
    return (this.fullState ??= Y.encodeStateAsUpdate(this.doc))
  }

  /**
   * Resolves when every update applied so far is committed; rejects (503 at the HTTP door)
   * if a commit fails first, since what was applied will never be stored by this room.
   */
  whenCommitted(): Promise<void> {
    if (this.evicted) return Promise.reject(storageLost())
    if (this.uncommitted === 0) return Promise.resolve()
    return new Promise((resolve, reject) => this.commitWaiters.push({ resolve, reject }))
  }

  /**
   * The board exactly as stored, or null while an applied update still waits for its commit
   * (or the room was dropped). History, search and reports read only committed state, and
   * must not change what they get.
   */
  committedState(): Uint8Array | null {
    return this.settled ? this.encodeState() : null
  }

  /** Like `committedState`, as the document itself (built if the room was hibernating). */
  committedDoc(): Y.Doc | null {
    return this.settled ? this.doc : null
  }

  private get settled(): boolean {
    return this.uncommitted === 0 && !this.evicted && !this.destroyed
  }

  get updatesSinceSnapshot(): number {
    return this.logLength
  }

  private scheduleCompaction(): void {
    if (this.compacting || this.evicted) return
    this.compacting = true
    setImmediate(() => {
      void this.compact().then((compacted) => {
        this.compacting = false
        // Commits that landed while it folded did not start another; a fold that made no
        // progress is not repeated until the next commit.
        if (compacted && this.logLength >= this.deps.compactAfterUpdates) this.scheduleCompaction()
      })
    })
  }

  /**
   * Folds the stored log into a snapshot of what is stored (not of the document in memory,
   * which may hold updates still waiting for their commit): the store folds and proves it off
   * the event loop (sqlite-doc-store.ts), so unloading a large board does not hold the loop.
   */
  compact(): Promise<boolean> {
    // One at a time: a caller (an unload, a clean stop) waits for the fold that runs, so two
    // folds of one board never race and the second does not find its rows gone.
    const run = this.compactions.then(() => this.compactOnce())
    this.compactions = run
    return run
  }

  private async compactOnce(): Promise<boolean> {
    if (this.evicted || this.destroyed) return false
    try {
      const result = await this.deps.store.compact(this.boardId, foldStored)
      if (result.compacted) {
        this.logLength = Math.max(0, this.logLength - result.folded)
        // What was appended while it folded is still stored beside the new snapshot.
        this.storedBytes = Math.max(0, this.storedBytes - result.bytesBefore) + result.bytesAfter
        return true
      }
      // Nothing stored to fold: the rows this room counted were folded already.
      if (result.reason === 'nothing to fold') this.logLength = 0
      else
        this.deps.log.warn({ boardId: this.boardId, reason: result.reason }, 'compaction skipped')
    } catch (error) {
      this.deps.log.error({ err: error, boardId: this.boardId }, 'compaction failed')
    }
    return false
  }

  /** Compacts until the log is folded (each compaction folds at most a bounded prefix). */
  async compactAll(): Promise<void> {
    while (this.logLength > 0 && (await this.compact())) {
      // Each round folded something; the next takes the rows after it.
    }
  }

  /**
   * Drops the built document of a board nobody has changed for `idleMs`, keeping its encoded
   * state: an idle board with open tabs then costs its bytes, not a live Y.Doc. The next
   * change rebuilds it. Returns the size of the state it keeps, 0 if the board stays awake.
   */
  hibernate(idleMs: number): number {
    const doc = this.built
    if (!doc || this.uncommitted > 0 || this.compacting || this.evicted) return 0
    if (performance.now() - this.changedAt < idleMs) return 0
    const state = this.encodeState()
    this.lazy = { state, stateVector: Y.encodeStateVector(doc) }
    this.built = null
    // Nothing is queued: the relay sends in a microtask of the commit that queued it.
    this.relay = null
    doc.destroy()
    return state.byteLength
  }

  get isHibernating(): boolean {
    return this.built === null
  }

  private applyAwareness(peer: RoomPeer, update: Uint8Array): void {
    if (this.awareness.apply(peer, update) > 0) this.scheduleAwarenessFlush()
  }

  private scheduleAwarenessFlush(): void {
    if (this.awarenessTimer || !this.awareness.hasChanges) return
    const flush = () => {
      this.awarenessTimer = null
      const message = this.awareness.flush()
      if (message) broadcast(this.peers, message)
    }
    // Changes gathered over one flush interval go out as one message to each peer.
    this.awarenessTimer =
      this.deps.awarenessFlushMs > 0
        ? setTimeout(flush, this.deps.awarenessFlushMs)
        : setImmediate(flush)
  }

  /** Drops the room: peers reconnect and resync against a fresh load from storage. */
  private evict(
    reason: string,
    code: number = 1011,
    told = 'board reloaded, please reconnect',
    level: 'error' | 'info' = 'error',
  ): void {
    if (this.evicted) return
    this.evicted = true
    this.deps.log[level]({ boardId: this.boardId, reason }, 'room evicted')
    for (const peer of this.peers) peer.close(code, told)
    const waiters = this.commitWaiters
    this.commitWaiters = []
    for (const { reject } of waiters) reject(storageLost())
    this.deps.evicted(this)
  }

  destroy(): void {
    this.destroyed = true
    if (this.awarenessTimer) {
      clearTimeout(this.awarenessTimer as NodeJS.Timeout)
      clearImmediate(this.awarenessTimer as NodeJS.Immediate)
      this.awarenessTimer = null
    }
    this.built?.destroy()
    this.lazy = null
    this.fullState = null
  }
}

/** What waiters of an evicted room hear: their change will not be stored by it. */
const storageLost = () => unavailable('the board could not store its changes; try again')

function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  try {
    return decoding.readVarUint8Array(decoder)
  } catch {
    throw malformed(`truncated ${what} message`)
  }
}

function isPeer(origin: unknown): origin is RoomPeer {
  return typeof origin === 'object' && origin !== null && 'user' in origin && 'send' in origin
}
