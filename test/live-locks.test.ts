/**
 * Lock requests over the live socket (PROTOCOL.md "Requests", docs/locks.md): renewing keeps the
 * fencing token and moves the expiry, cancelling needs a place in the queue, and an expired lock
 * goes to the first waiter.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, type TestServer } from './harness.ts'
import { liveClient, type LiveClient, type Message } from './live-client.ts'

afterEach(cleanup)

interface Lock {
  key: string
  holder: { id: string; name: string }
  fencingToken: number
  expiresAt: number
  acquiredAt: number
}

async function crew(t: TestServer) {
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'grade')
  const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
  const flo = await invite(t, owner.token, owner.workspaceId, 'editor', 'flo')
  return { owner, ed, flo, boardId }
}

async function live(t: TestServer, token: string): Promise<LiveClient> {
  const client = await liveClient(t, { token })
  await client.hello()
  return client
}

const lockOf = (reply: Message) => (reply.result as { lock: Lock }).lock

describe('lock.renew and lock.cancel over the live socket', () => {
  it('[L3] renew moves expiresAt and keeps the fencing token; only the holding session may renew', async () => {
    const t = await authServer()
    const { owner, ed, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    const edLive = await live(t, ed.token)

    const acquired = await edLive.request({ type: 'lock.acquire', key, ttlMs: 60_000 })
    expect(acquired).toMatchObject({ ok: true })
    const before = lockOf(acquired)

    const renewed = await edLive.request({ type: 'lock.renew', key, ttlMs: 600_000 })
    expect(renewed).toMatchObject({ ok: true })
    const after = lockOf(renewed)
    expect(after).toMatchObject({
      key,
      holder: before.holder,
      fencingToken: before.fencingToken,
      acquiredAt: before.acquiredAt,
    })
    // Renewed for ten minutes instead of one: the expiry moved forward by (about) nine.
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt + 500_000)

    // The server's own record agrees.
    const listed = await t.api<{ locks: Lock[] }>(`/api/locks?board=${boardId}`, {
      token: owner.token,
    })
    expect(listed.body.locks).toEqual([
      expect.objectContaining({
        key,
        fencingToken: before.fencingToken,
        expiresAt: after.expiresAt,
      }),
    ])

    // The same user from another live session is not the holder (L3); nothing changes.
    const edElsewhere = await live(t, ed.token)
    expect(await edElsewhere.request({ type: 'lock.renew', key, ttlMs: 900_000 })).toMatchObject({
      ok: false,
      error: { code: 'not_holder' },
    })
    const unchanged = await t.api<{ locks: Lock[] }>(`/api/locks?board=${boardId}`, {
      token: owner.token,
    })
    expect(unchanged.body.locks[0]?.expiresAt).toBe(after.expiresAt)
  })

  it('[L6] lock.cancel for a key one is not queued for is refused with not_queued', async () => {
    const t = await authServer()
    const { ed, flo, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    const edLive = await live(t, ed.token)
    const floLive = await live(t, flo.token)

    // Nobody holds it, nobody waits.
    expect(await floLive.request({ type: 'lock.cancel', key })).toMatchObject({
      ok: false,
      error: { code: 'not_queued', key },
    })
    // The holder is not queued either.
    expect(await edLive.request({ type: 'lock.acquire', key })).toMatchObject({ ok: true })
    expect(await edLive.request({ type: 'lock.cancel', key })).toMatchObject({
      ok: false,
      error: { code: 'not_queued' },
    })
    // Queued, then cancelled once: a second cancel is refused.
    expect(await floLive.request({ type: 'lock.acquire', key, wait: true })).toMatchObject({
      ok: true,
      result: { queued: { key, position: 1 } },
    })
    expect(await floLive.request({ type: 'lock.cancel', key })).toMatchObject({
      ok: true,
      result: { key },
    })
    expect(await floLive.request({ type: 'lock.cancel', key })).toMatchObject({
      ok: false,
      error: { code: 'not_queued' },
    })
    // A queue place for another key does not count.
    const other = `${boardId}/task/t2`
    expect(await edLive.request({ type: 'lock.acquire', key: other })).toMatchObject({ ok: true })
    expect(await floLive.request({ type: 'lock.acquire', key: other, wait: true })).toMatchObject({
      result: { queued: { position: 1 } },
    })
    expect(await floLive.request({ type: 'lock.cancel', key })).toMatchObject({
      ok: false,
      error: { code: 'not_queued' },
    })
  })
})

describe('expiry serves the queue', () => {
  it('[L4][L6][L9] a waiter gets the lock when the holder’s lock expires: lock.granted, then lock.expired before lock.acquired', async () => {
    const t = await authServer()
    const { owner, ed, flo, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    const watcher = await live(t, owner.token)
    await watcher.request({ type: 'subscribe', stream: `board:${boardId}` })
    const edLive = await live(t, ed.token)
    const floLive = await live(t, flo.token)

    const held = await edLive.request({ type: 'lock.acquire', key, ttlMs: 300 })
    expect(held).toMatchObject({ ok: true })
    expect(await floLive.request({ type: 'lock.acquire', key, wait: true })).toMatchObject({
      result: { queued: { key, position: 1 } },
    })

    // Nobody asks about the lock again: the server's own expiry check must serve the waiter.
    const granted = await floLive.next((m) => m.type === 'notification')
    expect(granted.notification).toMatchObject({
      type: 'lock.granted',
      boardId,
      data: { key, fencingToken: lockOf(held).fencingToken + 1 },
    })

    const forKey = () =>
      watcher
        .events(`board:${boardId}`)
        .filter((e) => e.event.data.key === key)
        .map((e) => ({
          type: e.event.type,
          holder: (e.event.data.holder as { name: string }).name,
        }))
    await eventually(() =>
      expect(forKey()).toEqual([
        { type: 'lock.acquired', holder: 'ed' },
        { type: 'lock.queued', holder: 'ed' },
        { type: 'lock.expired', holder: 'ed' },
        { type: 'lock.acquired', holder: 'flo' },
      ]),
    )
    const last = watcher.events(`board:${boardId}`).at(-1)
    expect(last?.event.data).toMatchObject({ fromQueue: true })

    const locks = await t.api<{ locks: Lock[] }>(`/api/locks?board=${boardId}`, {
      token: owner.token,
    })
    expect(locks.body.locks.map((l) => [l.key, l.holder.name])).toEqual([[key, 'flo']])
    // Ed no longer holds it; Flo does.
    expect(await edLive.request({ type: 'lock.release', key })).toMatchObject({
      ok: false,
      error: { code: 'not_holder' },
    })
    expect(await floLive.request({ type: 'lock.release', key })).toMatchObject({ ok: true })
  })
})
