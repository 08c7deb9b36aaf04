import { describe, expect, it } from 'vitest'
import { applyLockEvent, type HeldLock } from './locks.ts'

const ada = { id: 'u1', name: 'Ada' }
const bo = { id: 'u2', name: 'Bo' }
const key = 'b1/task/t1'

function replay(events: Array<[string, Record<string, unknown>]>): Record<string, HeldLock> {
  const ended = new Map<string, number>()
  return events.reduce((all, [type, data]) => applyLockEvent(all, ended, type, data), {})
}

describe('applyLockEvent: the locks a board shows, from its lock events', () => {
  it('shows a grant and forgets it when it ends', () => {
    const held = replay([['lock.acquired', { key, holder: ada, expiresAt: 9, fencingToken: 1 }]])
    expect(held[key]).toEqual({ key, holder: ada, expiresAt: 9, fencingToken: 1 })
    expect(
      replay([
        ['lock.acquired', { key, holder: ada, expiresAt: 9, fencingToken: 1 }],
        ['lock.expired', { key, holder: ada, fencingToken: 1 }],
      ]),
    ).toEqual({})
  })

  it('keeps the next grant when the end of the one before arrives after it', () => {
    const held = replay([
      ['lock.acquired', { key, holder: ada, expiresAt: 9, fencingToken: 1 }],
      ['lock.acquired', { key, holder: bo, expiresAt: 12, fencingToken: 2 }],
      ['lock.released', { key, holder: ada, reason: 'released', fencingToken: 1 }],
    ])
    expect(held[key]?.holder).toEqual(bo)
  })

  it('does not show a grant again when its end arrived before it', () => {
    const held = replay([
      ['lock.released', { key, holder: bo, reason: 'released', fencingToken: 2 }],
      ['lock.acquired', { key, holder: bo, expiresAt: 12, fencingToken: 2 }],
    ])
    expect(held).toEqual({})
  })

  it('does not let an older grant replace a newer one', () => {
    const held = replay([
      ['lock.acquired', { key, holder: bo, expiresAt: 12, fencingToken: 2 }],
      ['lock.acquired', { key, holder: ada, expiresAt: 9, fencingToken: 1 }],
    ])
    expect(held[key]?.holder).toEqual(bo)
  })

  it('applies an end without a token (an event written before ends had one) as it comes', () => {
    const held = replay([
      ['lock.acquired', { key, holder: bo, expiresAt: 12, fencingToken: 2 }],
      ['lock.released', { key, holder: bo, reason: 'forced' }],
    ])
    expect(held).toEqual({})
  })
})
