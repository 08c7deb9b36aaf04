import { describe, expect, it } from 'vitest'
import { openDb } from '../db/open.ts'
import { EventBus } from './bus.ts'
import { EventLog } from './event-log.ts'

describe('EventBus', () => {
  const bus = () => new EventBus(new EventLog(openDb(':memory:', { sync: 'normal' })))
  const actor = { id: 'u1', name: 'Una' }

  it('refuses a type that is not registered, and a payload that does not fit its schema', () => {
    const b = bus()
    expect(() =>
      b.emit('task.teleported' as never, { actor, boardId: 'b', data: {} as never }),
    ).toThrow(/not registered/)
    expect(() =>
      b.emit('thread.resolved', { actor, boardId: 'b', data: { threadId: 42 } as never }),
    ).toThrow()
    expect(b.info('board:b').lastSeq).toBe(0)
  })

  it('numbers each stream on its own, starting at 1', () => {
    const b = bus()
    expect(b.emit('thread.resolved', { actor, boardId: 'b1', data: { threadId: 't' } }).seq).toBe(1)
    expect(b.emit('thread.resolved', { actor, boardId: 'b1', data: { threadId: 't' } }).seq).toBe(2)
    expect(b.emit('thread.resolved', { actor, boardId: 'b2', data: { threadId: 't' } }).seq).toBe(1)
    expect(
      b.emit('board.created', { actor, workspaceId: 'w', data: { boardId: 'b1', title: 'x' } }),
    ).toEqual({ stream: 'workspace:w', seq: 1 })
  })
})
