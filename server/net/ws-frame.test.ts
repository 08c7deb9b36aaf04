/** Frames encoded once for many sockets must be exactly what `ws` writes for `send(message)`. */
import { describe, expect, it } from 'vitest'
import * as ws from 'ws'
import { binaryFrame, binaryFrames } from './ws-frame.ts'

/** What ws's Sender writes for one binary message from a server (no mask, no compression). */
function framedByWs(message: Uint8Array): Buffer {
  const data = Buffer.from(message)
  const parts = Sender.frame(data, {
    fin: true,
    opcode: 2,
    mask: false,
    readOnly: false,
    rsv1: false,
  })
  return Buffer.concat(parts)
}

/** ws's frame encoder (exported at run time; @types/ws leaves it out). */
const { Sender } = ws as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] }
}

const message = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff)

describe('binaryFrame', () => {
  // Every length encoding (7-bit, 16-bit, 64-bit) and the edges between them.
  for (const length of [0, 1, 125, 126, 127, 1000, 65535, 65536, 70_000, 1 << 20]) {
    it(`is byte for byte what ws sends for a ${length}-byte message`, () => {
      const m = message(length)
      expect(Buffer.compare(binaryFrame(m), framedByWs(m))).toBe(0)
    })
  }

  it('frames a view into a larger buffer by its own bytes only', () => {
    const backing = message(300)
    const view = backing.subarray(50, 250)
    expect(Buffer.compare(binaryFrame(view), framedByWs(view.slice()))).toBe(0)
  })
})

describe('binaryFrames', () => {
  it('is each message’s frame, in order, back to back', () => {
    const messages = [message(3), message(200), message(70_000), message(0)]
    const expected = Buffer.concat(messages.map(framedByWs))
    expect(Buffer.compare(binaryFrames(messages), expected)).toBe(0)
  })
})
