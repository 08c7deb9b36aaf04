/**
 * Server-to-client WebSocket frames, encoded once and written to many sockets.
 *
 * A relayed update goes to every peer of a room as the same bytes. Handing it to `ws` per
 * socket makes `ws` build a frame header for each, then cork, write twice and uncork (a
 * writev of two buffers); with a thousand peers that overhead is most of the relay's own CPU.
 * Encoding the frame once here and writing the one buffer to each socket is the same on the
 * wire — a final, unmasked binary frame, exactly what `ws` writes for `send(data)` with
 * compression off (RFC 6455 §5.2; the relay never offers permessage-deflate) — and costs one
 * plain write per socket.
 */

const FIN_BINARY = 0x82

/** The frame of one binary message: FIN + opcode 2, no mask, 7/16/64-bit payload length. */
export function binaryFrame(message: Uint8Array): Buffer {
  const length = message.byteLength
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10
  const frame = Buffer.allocUnsafe(header + length)
  frame[0] = FIN_BINARY
  if (length < 126) {
    frame[1] = length
  } else if (length < 65536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    // Messages are capped far below 2^53 (LOUPE_MAX_MESSAGE_BYTES), as ws assumes too.
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2)
    frame.writeUInt32BE(length >>> 0, 6)
  }
  frame.set(message, header)
  return frame
}

/** Several messages as their frames back to back: one socket write delivers them in order. */
export function binaryFrames(messages: readonly Uint8Array[]): Buffer {
  if (messages.length === 1) return binaryFrame(messages[0] as Uint8Array)
  return Buffer.concat(messages.map(binaryFrame))
}
