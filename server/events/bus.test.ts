import { describe, expect, it } from 'vitest'
import { openDb } from '../db/open.ts'
import { SqliteStores } from '../storage/sqlite-stores.ts'
import { EventBus } from './bus.ts'

describe('EventBus', () => {
  const bus = () => new EventBus(new SqliteStores(openDb(':memory:', { sync: 'normal' })))
  const actor = { id: 'u1', name: 'Una' }

  it('refuses a type that is not registered, and a payload that does not fit its schema', async () => {
    const b = bus()
    await expect(
      b.emit('task.teleported' as never, { actor, boardId: 'b', data: {} as never }),
    ).rejects.toThrow(/not registered/)
    await expect(
      b.emit('thread.resolved', { actor, boardId: 'b', data: { threadId: 42 } as never }),
    ).rejects.toThrow()
    expect((await b.info('board:b')).lastSeq).toBe(0)
  })

  it('numbers each stream on its own, starting at 1', async () => {
    const b = bus()
    const resolved = { actor, boardId: 'b1', data: { threadId: 't' } }
    expect((await b.emit('thread.resolved', resolved)).seq).toBe(1)
    expect((await b.emit('thread.resolved', resolved)).seq).toBe(2)
    expect((await b.emit('thread.resolved', { ...resolved, boardId: 'b2' })).seq).toBe(1)
    expect(
      await b.emit('board.created', {
        actor,
        workspaceId: 'w',
        data: { boardId: 'b1', title: 'x' },
      }),
    ).toEqual({ stream: 'workspace:w', seq: 1 })
  })

  it('tells listeners of an event emitted in a transaction only once it commits, and never if it rolls back', async () => {
    const stores = new SqliteStores(openDb(':memory:', { sync: 'normal' }))
    const b = new EventBus(stores)
    const heard: number[] = []
    b.listen((_stream, seq) => heard.push(seq))
    const resolved = { actor, boardId: 'b1', data: { threadId: 't' } }
    await stores.transaction(async (tx) => {
      await b.emit('thread.resolved', resolved, tx)
      expect(heard).toEqual([])
    })
    expect(heard).toEqual([1])
    await expect(
      stores.transaction(async (tx) => {
        await b.emit('thread.resolved', resolved, tx)
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(heard).toEqual([1])
    expect((await b.info('board:b1')).lastSeq).toBe(1)
  })
})
