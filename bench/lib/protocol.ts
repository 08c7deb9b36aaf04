/**
 * The y-websocket wire format, encoded by hand with lib0 so one process can drive
 * thousands of clients without a WebsocketProvider (and its timers) per client.
 * Message = varUint type, then payload; see y-protocols/sync.js and awareness.js.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

export const MSG_SYNC = 0
export const MSG_AWARENESS = 1
export const MSG_AUTH = 2
export const MSG_QUERY_AWARENESS = 3

export const SYNC_STEP1 = 0
export const SYNC_STEP2 = 1
export const SYNC_UPDATE = 2

/** An empty Yjs v1 update (no structs, empty delete set): what a client with no content answers step 1 with. */
export const EMPTY_UPDATE = new Uint8Array([0, 0])
/** An empty state vector: "send me everything". */
export const EMPTY_STATE_VECTOR = new Uint8Array([0])

export function encodeSync(subtype: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_SYNC)
  encoding.writeVarUint(e, subtype)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

export interface AwarenessEntry {
  clientId: number
  clock: number
  /** Raw JSON text; parsed lazily because most receivers only need one field of it. */
  json: string
}

export function encodeAwareness(entries: readonly AwarenessEntry[]): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const en of entries) {
    encoding.writeVarUint(inner, en.clientId)
    encoding.writeVarUint(inner, en.clock)
    encoding.writeVarString(inner, en.json)
  }
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MSG_AWARENESS)
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner))
  return encoding.toUint8Array(e)
}

export function decodeAwarenessPayload(payload: Uint8Array): AwarenessEntry[] {
  const d = decoding.createDecoder(payload)
  const n = decoding.readVarUint(d)
  const out: AwarenessEntry[] = []
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d)
    const clock = decoding.readVarUint(d)
    const json = decoding.readVarString(d)
    out.push({ clientId, clock, json })
  }
  return out
}

export type Incoming =
  | { kind: 'sync'; subtype: number; payload: Uint8Array }
  | { kind: 'awareness'; payload: Uint8Array }
  | { kind: 'auth'; denied: boolean; reason: string }
  | { kind: 'query-awareness' }
  | { kind: 'other'; type: number }

export function decodeMessage(buf: Uint8Array): Incoming {
  const d = decoding.createDecoder(buf)
  const type = decoding.readVarUint(d)
  switch (type) {
    case MSG_SYNC: {
      const subtype = decoding.readVarUint(d)
      return { kind: 'sync', subtype, payload: decoding.readVarUint8Array(d) }
    }
    case MSG_AWARENESS:
      return { kind: 'awareness', payload: decoding.readVarUint8Array(d) }
    case MSG_AUTH: {
      // y-protocols/auth: varUint 0 = permission denied, followed by a reason string.
      const sub = decoding.readVarUint(d)
      return { kind: 'auth', denied: sub === 0, reason: sub === 0 ? decoding.readVarString(d) : '' }
    }
    case MSG_QUERY_AWARENESS:
      return { kind: 'query-awareness' }
    default:
      return { kind: 'other', type }
  }
}
