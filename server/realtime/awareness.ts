/**
 * A room's awareness (presence, cursors), kept by the server itself rather than with
 * y-protocols' Awareness class, for three reasons the relay needs:
 * - identity stamping: each state's `user` is overwritten with the connection's real user
 *   (docs/product.md, "Awareness"), so states are decoded, stamped and re-encoded on arrival;
 * - coalescing: changes are gathered and relayed once per flush as one message, instead of
 *   one message per change to every client (N² messages in a cursor storm);
 * - caps: a connection controls a bounded number of client ids, and a state has a byte cap.
 * The wire format is y-protocols' awareness update: varUint count, then per client
 * varUint clientID, varUint clock, varString JSON state ("null" when removed).
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { PublicUser } from '../../shared/protocol/presence.ts'
import { YMessage } from '../../shared/protocol/y-messages.ts'
import { malformed } from './errors.ts'

/** The identity the server stamps into a connection's presence states. */
export type StampedUser = PublicUser

/** What the awareness needs to know about the connection a state came from. */
export interface AwarenessOwner {
  readonly user: StampedUser
  /** Client ids this connection has published states for. */
  readonly clientIds: Set<number>
}

interface Entry {
  clock: number
  /** JSON text of the state, or null once the client is gone. */
  json: string | null
  owner: AwarenessOwner | null
  /** Parsed state, made on demand for presence queries. */
  parsed?: Record<string, unknown> | null
}

const MAX_TOMBSTONES = 10_000

export interface AwarenessLimits {
  maxStateBytes: number
  maxClientsPerConnection: number
}

export class RoomAwareness {
  // The three are made at first use: most rooms of a server at rest hold no presence at all
  // (an empty Map or Set costs about 180 bytes), and a flushed room lets go of its change set.
  private entries: Map<number, Entry> | null = null
  private dirty: Set<number> | null = null
  /**
   * The clock each removed client was last relayed with. Peers remember it (y-protocols keeps
   * the meta of removed clients), so a client that comes back with its old, lower clock would
   * be ignored by everyone. Its state is relayed with the clock moved past the tombstone; the
   * client adopts that clock from the echo it receives, so the two agree from then on.
   */
  private tombstones: Map<number, number> | null = null

  constructor(private readonly limits: AwarenessLimits) {}

  get size(): number {
    return this.entries?.size ?? 0
  }

  get hasChanges(): boolean {
    return this.dirty !== null && this.dirty.size > 0
  }

  /**
   * Applies an awareness update from a connection. Entries for client ids the connection
   * does not own (another connection's), stale clocks, oversize states and non-object
   * states are skipped; a message that does not decode throws.
   * Returns how many entries changed.
   */
  apply(owner: AwarenessOwner, update: Uint8Array): number {
    const decoder = decoding.createDecoder(update)
    let changed = 0
    let count: number
    try {
      count = decoding.readVarUint(decoder)
    } catch {
      throw malformed('awareness update does not decode')
    }
    for (let i = 0; i < count; i++) {
      let clientId: number, clock: number, json: string
      try {
        clientId = decoding.readVarUint(decoder)
        clock = decoding.readVarUint(decoder)
        json = decoding.readVarString(decoder)
      } catch {
        throw malformed('awareness update does not decode')
      }
      if (this.applyEntry(owner, clientId, clock, json)) changed++
    }
    return changed
  }

  private applyEntry(
    owner: AwarenessOwner,
    clientId: number,
    clock: number,
    json: string,
  ): boolean {
    let current = this.entries?.get(clientId)
    if (current?.owner && current.owner !== owner) return false
    if (current && current.owner === null) {
      // Removed but not yet relayed: the removal becomes the tombstone to clear.
      ;(this.tombstones ??= new Map()).set(clientId, current.clock)
      current = undefined
    }
    if (!current) {
      // y-websocket clients echo every change they receive, removals included: a removal of
      // a client nobody holds is such an echo, not a claim on that client id.
      if (json === 'null') return false
      if (
        !owner.clientIds.has(clientId) &&
        owner.clientIds.size >= this.limits.maxClientsPerConnection
      ) {
        return false
      }
      const tombstone = this.tombstones?.get(clientId)
      if (tombstone !== undefined) {
        clock = Math.max(clock, tombstone + 1)
        this.tombstones?.delete(clientId)
      }
    } else if (!(
      current.clock < clock ||
      (current.clock === clock && json === 'null' && current.json !== null)
    )) {
      // y-protocols: apply only newer clocks, or a removal at the same clock.
      return false
    }
    const stamped = json === 'null' ? null : this.stamp(owner.user, json)
    if (stamped === undefined) return false
    owner.clientIds.add(clientId)
    ;(this.entries ??= new Map()).set(clientId, { clock, json: stamped, owner })
    ;(this.dirty ??= new Set()).add(clientId)
    return true
  }

  /** Overwrites `user` with the connection's identity; undefined rejects the state. */
  private stamp(user: StampedUser, json: string): string | null | undefined {
    if (json.length > this.limits.maxStateBytes) return undefined
    let state: unknown
    try {
      state = JSON.parse(json)
    } catch {
      return undefined
    }
    if (state === null) return null
    if (typeof state !== 'object' || Array.isArray(state)) return undefined
    const stamped = JSON.stringify({
      ...state,
      user: { id: user.id, name: user.name, color: user.color },
    })
    return stamped.length > this.limits.maxStateBytes + 256 ? undefined : stamped
  }

  /** Marks every state of a closed connection removed; the next flush tells the others. */
  removeOwner(owner: AwarenessOwner): void {
    for (const clientId of owner.clientIds) {
      const entry = this.entries?.get(clientId)
      if (!entry || entry.owner !== owner) continue
      entry.clock++
      entry.json = null
      entry.parsed = undefined
      entry.owner = null
      ;(this.dirty ??= new Set()).add(clientId)
    }
    owner.clientIds.clear()
  }

  /**
   * The awareness message carrying every change since the last flush, or null. Removed
   * clients are forgotten once their removal has been encoded.
   */
  flush(): Uint8Array | null {
    const dirty = this.dirty
    if (!dirty || dirty.size === 0) return null
    const message = this.encode(dirty)
    for (const clientId of dirty) {
      const entry = this.entries?.get(clientId)
      if (entry && entry.json === null && entry.owner === null) {
        this.entries?.delete(clientId)
        this.rememberRemoval(clientId, entry.clock)
      }
    }
    this.dirty = null
    if (this.entries?.size === 0) this.entries = null
    return message
  }

  private rememberRemoval(clientId: number, clock: number): void {
    const tombstones = (this.tombstones ??= new Map())
    tombstones.delete(clientId)
    tombstones.set(clientId, clock)
    if (tombstones.size > MAX_TOMBSTONES) {
      const oldest = tombstones.keys().next()
      if (!oldest.done) tombstones.delete(oldest.value)
    }
  }

  /** The awareness message with every present client (for a new or querying connection). */
  encodeAll(): Uint8Array | null {
    if (!this.entries) return null
    const present: number[] = []
    for (const [clientId, entry] of this.entries) if (entry.json !== null) present.push(clientId)
    return present.length > 0 ? this.encode(present) : null
  }

  private encode(clientIds: Iterable<number>): Uint8Array {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, YMessage.awareness)
    const inner = encoding.createEncoder()
    const entries = this.entries ?? new Map<number, Entry>()
    const ids = [...clientIds].filter((id) => entries.has(id))
    encoding.writeVarUint(inner, ids.length)
    for (const clientId of ids) {
      const entry = entries.get(clientId) as Entry
      encoding.writeVarUint(inner, clientId)
      encoding.writeVarUint(inner, entry.clock)
      encoding.writeVarString(inner, entry.json ?? 'null')
    }
    encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner))
    return encoding.toUint8Array(encoder)
  }

  /** Present states, parsed (for the presence API). */
  *states(): Generator<Record<string, unknown>> {
    if (!this.entries) return
    for (const entry of this.entries.values()) {
      if (entry.json === null) continue
      if (entry.parsed === undefined)
        entry.parsed = JSON.parse(entry.json) as Record<string, unknown>
      if (entry.parsed) yield entry.parsed
    }
  }
}
