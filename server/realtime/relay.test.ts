/**
 * The relay writes a commit batch to each peer at once (one frame write per peer), in commit
 * order, leaving out what the peer sent itself; what it writes is the messages' frames.
 */
import { describe, expect, it } from 'vitest'
import { binaryFrame, binaryFrames } from '../net/ws-frame.ts'
import { broadcast, Relay, type RelayPeer } from './relay.ts'

class Peer implements RelayPeer {
  readonly writes: Array<{ frame: Buffer; bytes: number }> = []
  sendFrame(frame: Uint8Array, messageBytes: number): void {
    this.writes.push({ frame: Buffer.from(frame), bytes: messageBytes })
  }
}

const m = (text: string) => new TextEncoder().encode(text)
const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve))

describe('Relay', () => {
  it('sends what was queued together as one write per peer, in order, not back to its sender', async () => {
    const [a, b, reader] = [new Peer(), new Peer(), new Peer()]
    const relay = new Relay(new Set([a, b, reader]), () => true)
    relay.queue(m('one from a'), a)
    relay.queue(m('two from b'), b)
    relay.queue(m('three from a'), a)
    relay.queue(m('four from the server'), null)
    // Nothing leaves before the batch is over.
    expect([a, b, reader].map((p) => p.writes.length)).toEqual([0, 0, 0])
    await tick()

    const all = ['one from a', 'two from b', 'three from a', 'four from the server'].map(m)
    expect(reader.writes).toEqual([
      { frame: binaryFrames(all), bytes: all.reduce((n, x) => n + x.byteLength, 0) },
    ])
    const forA = [all[1], all[3]] as Uint8Array[]
    expect(a.writes).toEqual([
      { frame: binaryFrames(forA), bytes: forA[0]!.length + forA[1]!.length },
    ])
    const forB = [all[0], all[2], all[3]] as Uint8Array[]
    expect(b.writes.map((w) => w.frame)).toEqual([binaryFrames(forB)])
  })

  it('writes nothing to a sender whose batch holds only its own updates', async () => {
    const [writer, reader] = [new Peer(), new Peer()]
    const relay = new Relay(new Set([writer, reader]), () => true)
    relay.queue(m('mine'), writer)
    await tick()
    expect(writer.writes).toEqual([])
    expect(reader.writes.map((w) => w.frame)).toEqual([binaryFrame(m('mine'))])
  })

  it('starts a new write for what is queued after a batch went out', async () => {
    const reader = new Peer()
    const relay = new Relay(new Set([reader]), () => true)
    relay.queue(m('first'), null)
    await tick()
    relay.queue(m('second'), null)
    await tick()
    expect(reader.writes.map((w) => w.frame)).toEqual([
      binaryFrame(m('first')),
      binaryFrame(m('second')),
    ])
  })

  it('drops what is queued once the room is closed', async () => {
    const reader = new Peer()
    let open = true
    const relay = new Relay(new Set([reader]), () => open)
    relay.queue(m('too late'), null)
    open = false
    await tick()
    expect(reader.writes).toEqual([])
  })
})

describe('broadcast', () => {
  it('writes the same frame to every peer', () => {
    const peers = [new Peer(), new Peer()]
    broadcast(peers, m('hello'))
    for (const peer of peers)
      expect(peer.writes).toEqual([{ frame: binaryFrame(m('hello')), bytes: 5 }])
  })
})
