/**
 * Relaying to a room's peers: every message goes out as one WebSocket frame encoded once
 * (ws-frame.ts) and written as the same bytes to each peer, so the work per peer is one socket
 * write, and the updates of one commit batch reach each peer together, in one write.
 *
 * The room queues each update as its commit completes (room.ts `committed`, called for every
 * update of a batch in commit order, all in one go); the queue is sent once that call chain is
 * over, in a microtask. Nothing is sent before its commit, order is commit order, and a peer
 * never gets its own update back unless the room asks for the echo.
 */
import { binaryFrame, binaryFrames } from '../net/ws-frame.ts'

/** A peer as the relay sees it. */
export interface RelayPeer {
  /** Writes a pre-encoded frame carrying `messageBytes` of y-websocket messages. */
  sendFrame(frame: Uint8Array, messageBytes: number): void
}

interface Outgoing {
  message: Uint8Array
  /** Who sent the update (it is not sent back to them), or null. */
  origin: RelayPeer | null
}

/** One message to every peer, framed once. */
export function broadcast(peers: Iterable<RelayPeer>, message: Uint8Array): void {
  const frame = binaryFrame(message)
  for (const peer of peers) peer.sendFrame(frame, message.byteLength)
}

export class Relay {
  private outbox: Outgoing[] = []
  private scheduled = false

  constructor(
    private readonly peers: ReadonlySet<RelayPeer>,
    /** False once the room is evicted or destroyed: what is queued is dropped. */
    private readonly open: () => boolean,
  ) {}

  /** Queues a committed update's message; `origin` does not get it back (null: everyone does). */
  queue(message: Uint8Array, origin: RelayPeer | null): void {
    this.outbox.push({ message, origin })
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => this.flush())
  }

  private flush(): void {
    const out = this.outbox
    this.outbox = []
    this.scheduled = false
    if (!this.open() || out.length === 0) return
    const all = binaryFrames(out.map((o) => o.message))
    const bytes = out.reduce((sum, o) => sum + o.message.byteLength, 0)
    // Most peers sent nothing in this batch and get all of it; a sender gets the rest.
    const senders = new Set(out.map((o) => o.origin))
    for (const peer of this.peers) {
      if (!senders.has(peer)) {
        peer.sendFrame(all, bytes)
        continue
      }
      const theirs = out.filter((o) => o.origin !== peer).map((o) => o.message)
      if (theirs.length === 0) continue
      const size = theirs.reduce((sum, m) => sum + m.byteLength, 0)
      peer.sendFrame(binaryFrames(theirs), size)
    }
  }
}
