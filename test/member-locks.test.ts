/**
 * [L12] docs/locks.md: a member who is removed, or may no longer edit, holds no lock on the
 * workspace's boards: their locks and queue places go at once, with events, and waiters are
 * served — nobody waits out the holder's TTL.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually } from './harness.ts'

afterEach(cleanup)

type LockBody = {
  lock: { key: string; holder: { id: string; name: string }; fencingToken: number }
}
type EventsBody = {
  events: Array<{ event: { type: string; actor: { id: string }; data: Record<string, unknown> } }>
}

describe('membership changes and locks', () => {
  it.each([
    ['removed', 'DELETE', undefined],
    ['downgraded to viewer', 'PATCH', { role: 'viewer' }],
  ] as const)(
    '[L12] a member %s loses their locks at once; the waiter is served',
    async (_, method, json) => {
      const t = await authServer()
      const owner = await setupOwner(t)
      const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'eddie')
      const flo = await invite(t, owner.token, owner.workspaceId, 'editor', 'flo')
      const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shots')
      const held = `${boardId}/task/t1`
      const queued = `${boardId}/task/t2`
      const acquire = (token: string, key: string, wait = false) =>
        t.api<LockBody>('/api/locks/acquire', { method: 'POST', token, json: { key, wait } })

      expect((await acquire(ed.token, held)).status).toBe(200)
      // Flo waits for Eddie's lock; Eddie waits for one Flo holds.
      expect((await acquire(flo.token, held, true)).status).toBe(202)
      expect((await acquire(flo.token, queued)).status).toBe(200)
      expect((await acquire(ed.token, queued, true)).status).toBe(202)

      const changed = await t.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
        method,
        token: owner.token,
        ...(json ? { json } : {}),
      })
      expect(changed.status).toBe(200)

      const locks = await t.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
        token: owner.token,
      })
      const byKey = Object.fromEntries(locks.body.locks.map((l) => [l.key, l.holder.name]))
      expect(byKey).toEqual({ [held]: 'flo', [queued]: 'flo' })

      // Flo lets go of the second lock: Eddie is no longer in its queue, so it is simply free.
      const released = await t.api('/api/locks/release', {
        method: 'POST',
        token: flo.token,
        json: { key: queued },
      })
      expect(released.status).toBe(200)
      const after = await t.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
        token: owner.token,
      })
      expect(after.body.locks.map((l) => l.key)).toEqual([held])

      const events = await t.api<EventsBody>(`/api/events?stream=board:${boardId}`, {
        token: owner.token,
      })
      const ofHeld = events.body.events
        .map((e) => e.event)
        .filter((e) => e.data.key === held && e.type !== 'lock.queued')
        .map(
          (e) =>
            `${e.type}:${String((e.data.holder as { name: string }).name)}:${String(e.data.reason ?? '')}`,
        )
      expect(ofHeld).toEqual([
        'lock.acquired:eddie:',
        'lock.released:eddie:membership',
        'lock.acquired:flo:',
      ])
      const releasedBy = events.body.events.find(
        (e) => e.event.type === 'lock.released' && e.event.data.key === held,
      )
      expect(releasedBy?.event.actor.id).toBe(owner.user.id)

      // Flo was told she has the lock now.
      await eventually(async () => {
        const inbox = await t.api<{
          notifications: Array<{ type: string; data: { key?: string } }>
        }>('/api/notifications', { token: flo.token })
        expect(
          inbox.body.notifications.some((n) => n.type === 'lock.granted' && n.data.key === held),
        ).toBe(true)
      })
    },
  )

  it('[L12] an upgrade, or a change in another workspace, leaves locks alone', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'eddie')
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shots')
    const key = `${boardId}/task/t1`
    const got = await t.api<LockBody>('/api/locks/acquire', {
      method: 'POST',
      token: ed.token,
      json: { key },
    })
    expect(got.status).toBe(200)
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const invited = await invite(t, owner.token, other.body.workspace.id, 'editor', 'eddie2')
    expect(
      (
        await t.api(`/api/workspaces/${other.body.workspace.id}/members/${invited.user.id}`, {
          method: 'DELETE',
          token: owner.token,
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await t.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
          method: 'PATCH',
          token: owner.token,
          json: { role: 'owner' },
        })
      ).status,
    ).toBe(200)
    const locks = await t.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
      token: owner.token,
    })
    expect(locks.body.locks.map((l) => [l.key, l.holder.name, l.fencingToken])).toEqual([
      [key, 'eddie', got.body.lock.fencingToken],
    ])
  })
})
