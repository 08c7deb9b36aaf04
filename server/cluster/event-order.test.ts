/**
 * EventOrder delivers each stream's events strictly in sequence whatever order they arrive in,
 * reading a gap from the log, and forgets streams that went quiet. The log here is an array:
 * what is tested is the ordering, not a store.
 */
import { describe, expect, it, vi } from 'vitest'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { StoredEvent } from '../events/event-store.ts'
import { EventOrder } from './event-order.ts'

const event = (seq: number): LoupeEvent =>
  ({
    type: 'board.renamed',
    ts: seq,
    actor: { id: 'u', name: 'U' },
    data: { boardId: 'b', title: `t${seq}` },
  }) as LoupeEvent

function setup() {
  const log: StoredEvent[] = []
  const reads: Array<[number, number]> = []
  const order = new EventOrder(
    (_stream, afterSeq, limit) => {
      reads.push([afterSeq, limit])
      return Promise.resolve(log.filter((e) => e.seq > afterSeq).slice(0, limit))
    },
    (error) => {
      throw error
    },
  )
  const delivered: number[] = []
  const deliver = (_stream: string, seq: number) => delivered.push(seq)
  const commit = (seq: number) => log.push({ seq, event: event(seq) })
  return { order, delivered, deliver, commit, reads }
}

describe('EventOrder', () => {
  it('delivers in sequence: an event past a gap waits for the gap, read from the log', async () => {
    const { order, delivered, deliver, commit } = setup()
    for (const seq of [1, 2, 3]) commit(seq)
    order.push('s', 1, event(1), deliver)
    await vi.waitFor(() => expect(delivered).toEqual([1]))
    // 3 arrives before 2 (another node's news is late): 2 is read, then 3; late 2 is dropped.
    order.push('s', 3, event(3), deliver)
    order.push('s', 2, event(2), deliver)
    await vi.waitFor(() => expect(delivered).toEqual([1, 2, 3]))
    order.stop()
  })

  it('forgets a stream quiet for long enough, and starts it again as a stream first seen', async () => {
    const { order, delivered, deliver, commit, reads } = setup()
    commit(1)
    commit(2)
    order.push('quiet', 1, event(1), deliver)
    order.push('busy', 1, event(1), deliver)
    await vi.waitFor(() => expect(delivered).toEqual([1, 1]))
    expect(order.size).toBe(2)

    order.forgetQuiet(performance.now(), 60_000)
    expect(order.size).toBe(2)
    order.forgetQuiet(performance.now() + 60_000, 60_000)
    expect(order.size).toBe(0)

    // Seen again mid-way: the window before the event is read, then it is delivered.
    const before = reads.length
    order.push('quiet', 2, event(2), deliver)
    await vi.waitFor(() => expect(delivered).toEqual([1, 1, 1, 2]))
    expect(reads.length).toBe(before + 1)
    order.stop()
  })
})
