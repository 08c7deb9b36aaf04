/**
 * The y-websocket frames the server writes (read/write pairs per protocol live in
 * y-protocols; these are the few the room sends). Numbers from shared/protocol/y-messages.ts.
 */
import * as encoding from 'lib0/encoding'
import { YAuth, YMessage, YSync } from '../../shared/protocol/y-messages.ts'

function syncFrame(type: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, YMessage.sync)
  encoding.writeVarUint(encoder, type)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

export const syncStep1Frame = (stateVector: Uint8Array) => syncFrame(YSync.step1, stateVector)
export const syncStep2Frame = (update: Uint8Array) => syncFrame(YSync.step2, update)
export const updateFrame = (update: Uint8Array) => syncFrame(YSync.update, update)

/** y-protocols' permission-denied auth message; y-websocket reports it to the app. */
export function permissionDeniedFrame(reason: string): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, YMessage.auth)
  encoding.writeVarUint(encoder, YAuth.permissionDenied)
  encoding.writeVarString(encoder, reason)
  return encoding.toUint8Array(encoder)
}
