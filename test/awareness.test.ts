import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { LOCAL_OWNER } from '../server/auth/auth.ts'
import { cleanup, closeCode, eventually, startTestServer, synced } from './harness.ts'
import { awarenessMessage } from './wire.ts'

afterEach(cleanup)

describe('awareness', () => {
  it('relays states with the server-stamped identity and drops them the moment a client leaves', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const a = t.provider(boardId, new Y.Doc())
    const b = t.provider(boardId, new Y.Doc())
    await Promise.all([synced(a), synced(b)])

    a.awareness.setLocalState({
      user: { id: 'mallory', name: 'Someone else', color: '#000' },
      status: 'active',
      view: { entityType: 'task', entityId: 't1' },
      editing: { entityType: 'task', entityId: 't1' },
      cursor: { x: 0.2, y: 0.4 },
    })
    const aId = a.awareness.clientID
    await eventually(() =>
      expect(b.awareness.getStates().get(aId)?.cursor).toEqual({ x: 0.2, y: 0.4 }),
    )
    expect(b.awareness.getStates().get(aId)?.user).toEqual({
      id: LOCAL_OWNER.id,
      name: LOCAL_OWNER.name,
      color: LOCAL_OWNER.color,
    })

    const presence = await t.api<{ users: Array<Record<string, unknown>> }>(
      `/api/presence/${boardId}`,
    )
    expect(presence.body.users).toEqual([
      {
        ...LOCAL_OWNER,
        status: 'active',
        view: { entityType: 'task', entityId: 't1' },
        editing: { entityType: 'task', entityId: 't1' },
      },
    ])
    const onTask = await t.api<{ viewers: unknown[]; editors: unknown[] }>(
      `/api/presence/${boardId}/task/t1`,
    )
    expect(onTask.body).toEqual({ viewers: [LOCAL_OWNER], editors: [LOCAL_OWNER] })
    const elsewhere = await t.api<{ viewers: unknown[]; editors: unknown[] }>(
      `/api/presence/${boardId}/task/t2`,
    )
    expect(elsewhere.body).toEqual({ viewers: [], editors: [] })
    expect((await t.api(`/api/presence/${boardId}/planet/x`)).status).toBe(400)

    // y-websocket sends no goodbye on destroy: only the server can drop A's state.
    a.destroy()
    await eventually(() => expect(b.awareness.getStates().has(aId)).toBe(false), 2000)
    // With auth off both clients are the same user, so the user list alone cannot tell
    // whether A is gone: what only A was doing (viewing and editing t1) must be gone too.
    const afterLeaving = await t.api<{ viewers: unknown[]; editors: unknown[] }>(
      `/api/presence/${boardId}/task/t1`,
    )
    expect(afterLeaving.body).toEqual({ viewers: [], editors: [] })
    expect((await t.api<{ users: unknown[] }>(`/api/presence/${boardId}`)).body.users).toEqual([
      { ...LOCAL_OWNER, status: 'active', view: null, editing: null },
    ])
  })

  it('shows a reconnecting client again although the others remember its removal', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const a = t.provider(boardId, new Y.Doc())
    const b = t.provider(boardId, new Y.Doc())
    await Promise.all([synced(a), synced(b)])
    a.awareness.setLocalStateField('cursor', { x: 1, y: 1 })
    const aId = a.awareness.clientID
    await eventually(() => expect(b.awareness.getStates().get(aId)?.cursor).toEqual({ x: 1, y: 1 }))

    a.disconnect()
    await eventually(() => expect(b.awareness.getStates().has(aId)).toBe(false))
    a.connect()
    await eventually(() => expect(b.awareness.getStates().get(aId)?.cursor).toEqual({ x: 1, y: 1 }))
  })

  it('ignores a state for a client id that another connection owns, and oversized states', async () => {
    const t = await startTestServer({ limits: { maxAwarenessBytes: 1024 } })
    const boardId = await t.createBoard()
    const a = t.provider(boardId, new Y.Doc())
    const b = t.provider(boardId, new Y.Doc())
    await Promise.all([synced(a), synced(b)])
    a.awareness.setLocalStateField('cursor', { x: 0.1, y: 0.1 })
    const aId = a.awareness.clientID
    await eventually(() =>
      expect(b.awareness.getStates().get(aId)?.cursor).toEqual({ x: 0.1, y: 0.1 }),
    )

    const raw = await t.raw(boardId)
    raw.send(awarenessMessage(aId, 999, { cursor: { x: 0.9, y: 0.9 } }))
    raw.send(awarenessMessage(12345, 1, { big: 'x'.repeat(5000) }))
    raw.send(awarenessMessage(777, 1, { cursor: { x: 0.5, y: 0.5 } }))
    await eventually(() =>
      expect(b.awareness.getStates().get(777)?.cursor).toEqual({ x: 0.5, y: 0.5 }),
    )
    expect(b.awareness.getStates().get(aId)?.cursor).toEqual({ x: 0.1, y: 0.1 })
    expect(b.awareness.getStates().has(12345)).toBe(false)
  })

  it('keeps only the newest state when a client sends faster than the awareness rate', async () => {
    const t = await startTestServer({ limits: { awarenessPerSecond: 2 } })
    const boardId = await t.createBoard()
    const b = t.provider(boardId, new Y.Doc())
    await synced(b)
    const raw = await t.raw(boardId)
    const received: number[] = []
    b.awareness.on('change', () => {
      const x = (b.awareness.getStates().get(4242)?.cursor as { x: number } | undefined)?.x
      if (x !== undefined) received.push(x)
    })
    for (let clock = 1; clock <= 20; clock++)
      raw.send(awarenessMessage(4242, clock, { cursor: { x: clock, y: 0 } }))
    await eventually(() => expect(received.at(-1)).toBe(20), 3000)
    expect(received.length).toBeLessThan(10)
    expect(raw.readyState).toBe(raw.OPEN)
  })

  it('closes a socket that sends an awareness message that does not decode', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const raw = await t.raw(boardId)
    const closed = closeCode(raw)
    raw.send(Uint8Array.from([1, 3, 5, 1]))
    expect(await closed).toBe(4400)
  })
})
