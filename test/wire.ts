/** Hand-built y-websocket frames for raw-socket tests. */
import * as encoding from 'lib0/encoding'
import { YMessage } from '../shared/protocol/y-messages.ts'

/** The server's own frame writers serve the tests too. */
export { syncStep1Frame, updateFrame as syncUpdate } from '../server/realtime/y-frames.ts'

/** An awareness message with one client's state. */
export function awarenessMessage(clientId: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, 1)
  encoding.writeVarUint(inner, clientId)
  encoding.writeVarUint(inner, clock)
  encoding.writeVarString(inner, JSON.stringify(state))
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, YMessage.awareness)
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner))
  return encoding.toUint8Array(encoder)
}

/** A Yjs update (v1) with no structs, only a delete set: `client`'s clocks [clock, clock + len). */
export function deleteOnly(client: number, clock: number, len: number): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 0) // no structs
  encoding.writeVarUint(encoder, 1) // one client in the delete set
  encoding.writeVarUint(encoder, client)
  encoding.writeVarUint(encoder, 1) // one range
  encoding.writeVarUint(encoder, clock)
  encoding.writeVarUint(encoder, len)
  return encoding.toUint8Array(encoder)
}
