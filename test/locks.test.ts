import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask, updateTask } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced, tempDir, type TestServer } from './harness.ts'
import { liveClient, type LiveClient } from './live-client.ts'

afterEach(cleanup)

interface LockBody {
  lock: {
    key: string
    holder: { id: string; name: string }
    fencingToken: number
    expiresAt: number
  }
}

async function crew(t: TestServer) {
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'cuts')
  const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
  const flo = await invite(t, owner.token, owner.workspaceId, 'editor', 'flo')
  const vi = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vi')
  return { owner, ed, flo, vi, boardId }
}

const acquireHttp = (t: TestServer, token: string, body: Record<string, unknown>) =>
  t.api<LockBody & { error: Record<string, unknown>; queued: { position: number } }>(
    '/api/locks/acquire',
    { method: 'POST', token, json: body },
  )

async function live(
  t: TestServer,
  token: string,
  options: { autoPong?: boolean } = {},
): Promise<LiveClient & { sessionId: string }> {
  const client = await liveClient(t, { token, ...options })
  const welcome = await client.hello()
  return Object.assign(client, { sessionId: welcome.sessionId as string })
}

describe('lock requests', () => {
  it('[L1] exactly one of simultaneous HTTP and socket acquires wins, round after round', async () => {
    const t = await authServer()
    const { owner, ed, flo, boardId } = await crew(t)
    const floLive = await live(t, flo.token)
    // Fencing counters are per key (L2); the three keys take turns, so each key's token is
    // compared with the one its previous round was granted.
    const lastTokens = new Map<string, number>()
    for (let round = 0; round < 25; round++) {
      const key = `${boardId}/task/r${round % 3}`
      const [a, b, c] = await Promise.all([
        acquireHttp(t, owner.token, { key }),
        acquireHttp(t, ed.token, { key }),
        floLive.request({ type: 'lock.acquire', key }),
      ])
      const winners = [a.status === 200, b.status === 200, c.ok === true].filter(Boolean)
      expect(winners).toHaveLength(1)
      for (const loser of [a, b].filter((r) => r.status !== 200)) {
        expect(loser.status).toBe(409)
        expect(loser.body.error).toMatchObject({
          code: 'locked',
          holder: expect.objectContaining({ id: expect.any(String) }),
        })
      }
      const lock =
        a.status === 200
          ? a.body.lock
          : b.status === 200
            ? b.body.lock
            : (c.result as LockBody).lock
      expect(lock.fencingToken).toBeGreaterThan(lastTokens.get(key) ?? 0)
      lastTokens.set(key, lock.fencingToken)
      if (c.ok) await floLive.request({ type: 'lock.release', key })
      else
        await t.api('/api/locks/release', {
          method: 'POST',
          token: a.status === 200 ? owner.token : ed.token,
          json: { key },
        })
    }
  })

  it('[L1][L2] concurrent acquire/renew/release from several clients never overlap; tokens only grow', async () => {
    const t = await authServer()
    const { owner, ed, flo, boardId } = await crew(t)
    const key = `${boardId}/task/contended`
    const holds: Array<{ who: string; from: number; to: number; token: number }> = []
    const worker = async (name: string, token: string) => {
      for (let i = 0; i < 20; i++) {
        const got = await acquireHttp(t, token, { key, ttlMs: 60_000 })
        if (got.status !== 200) continue
        const from = performance.now() // the client knows it holds the lock from here...
        if (i % 2)
          expect(
            (await t.api('/api/locks/renew', { method: 'POST', token, json: { key } })).status,
          ).toBe(200)
        const to = performance.now() // ...until it asks to release
        holds.push({ who: name, from, to, token: got.body.lock.fencingToken })
        expect(
          (await t.api('/api/locks/release', { method: 'POST', token, json: { key } })).status,
        ).toBe(200)
      }
    }
    await Promise.all([
      worker('owner', owner.token),
      worker('ed', ed.token),
      worker('flo', flo.token),
    ])
    expect(holds.length).toBeGreaterThan(5)
    const byToken = [...holds].sort((a, b) => a.token - b.token)
    for (let i = 1; i < byToken.length; i++) {
      const [prev, next] = [byToken[i - 1], byToken[i]] as [(typeof holds)[0], (typeof holds)[0]]
      expect(next.token).toBeGreaterThan(prev.token)
      // A later grant starts only after the earlier holder asked to let go.
      expect(next.from).toBeGreaterThan(prev.to)
    }
    // The server's own record agrees: acquired and released alternate, tokens increase.
    const log = await t.api<{
      events: Array<{ event: { type: string; data: { key: string; fencingToken?: number } } }>
    }>(`/api/events?stream=board:${boardId}&limit=5000`, { token: owner.token })
    const ours = log.body.events.filter(
      (e) => e.event.data.key === key && ['lock.acquired', 'lock.released'].includes(e.event.type),
    )
    // One acquired and one released event per hold: an empty or partial log cannot pass.
    expect(ours).toHaveLength(2 * holds.length)
    ours.forEach((e, i) =>
      expect(e.event.type).toBe(i % 2 === 0 ? 'lock.acquired' : 'lock.released'),
    )
    expect(
      ours.filter((e) => e.event.type === 'lock.acquired').map((e) => e.event.data.fencingToken),
    ).toEqual(byToken.map((h) => h.token))
    // Each release names the grant it ended, so a reader can order them by token.
    expect(
      ours.filter((e) => e.event.type === 'lock.released').map((e) => e.event.data.fencingToken),
    ).toEqual(byToken.map((h) => h.token))
  })

  it('[L3][L10] refuses foreign releases and bad requests, changing nothing', async () => {
    const t = await authServer()
    const { owner, ed, vi, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    expect((await acquireHttp(t, owner.token, { key })).status).toBe(200)
    const foreign = await t.api<{ error: { code: string } }>('/api/locks/release', {
      method: 'POST',
      token: ed.token,
      json: { key },
    })
    expect(foreign.status).toBe(409)
    expect(foreign.body.error.code).toBe('not_holder')
    expect(
      (await t.api('/api/locks/renew', { method: 'POST', token: ed.token, json: { key } })).status,
    ).toBe(409)
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const hidden = await createBoard(t, owner.token, other.body.workspace.id, 'hidden')
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [ed.token, { key: 'not-a-key' }, 400, 'bad_key'],
      [ed.token, { key: `${boardId}/planet/x` }, 400, 'bad_key'],
      [ed.token, { key: `${hidden}/task/x` }, 404, 'not_found'],
      [ed.token, { key: `${boardId}/task/t2`, ttlMs: 365 * 24 * 3600 * 1000 }, 400, 'ttl_too_long'],
      [vi.token, { key: `${boardId}/task/t2` }, 403, 'forbidden'],
    ]
    for (const [token, body, status, code] of cases) {
      const r = await acquireHttp(t, token, body)
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status, code })
    }
    const locks = await t.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
      token: vi.token,
    })
    expect(locks.body.locks.map((l) => [l.key, l.holder.name])).toEqual([[key, 'Olive']])
  })

  it('[L6][L7][L9] queues first come first served, is idempotent per request id, and notifies the waiter', async () => {
    const t = await authServer()
    const { owner, ed, flo, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    const edLive = await live(t, ed.token)
    const floLive = await live(t, flo.token)
    await edLive.request({ type: 'subscribe', stream: `board:${boardId}` })
    expect((await acquireHttp(t, owner.token, { key })).status).toBe(200)

    // The same request sent twice (a retry after a lost reply) queues once.
    edLive.send({ type: 'lock.acquire', id: 'same', key, wait: true })
    edLive.send({ type: 'lock.acquire', id: 'same', key, wait: true })
    await eventually(() =>
      expect(edLive.messages.filter((m) => m.type === 'reply' && m.id === 'same')).toHaveLength(2),
    )
    for (const reply of edLive.messages.filter((m) => m.type === 'reply' && m.id === 'same')) {
      expect(reply).toMatchObject({ ok: true, result: { queued: { key, position: 1 } } })
    }
    expect(await floLive.request({ type: 'lock.acquire', key, wait: true })).toMatchObject({
      result: { queued: { position: 2 } },
    })
    const refused = await acquireHttp(t, ed.token, { key })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({
      holder: { name: 'Olive' },
      queueLength: 2,
      estimatedWaitMs: expect.any(Number),
      expiresAt: expect.any(Number),
    })

    await t.api('/api/locks/release', { method: 'POST', token: owner.token, json: { key } })
    const granted = await edLive.next((m) => m.type === 'notification')
    expect(granted.notification).toMatchObject({ type: 'lock.granted', data: { key } })
    expect(
      (await t.api<{ unreadCount: number }>('/api/notifications?unread=1', { token: ed.token }))
        .body.unreadCount,
    ).toBe(1)
    const types = () => edLive.events(`board:${boardId}`).map((e) => e.event.type)
    await eventually(() =>
      expect(types()).toEqual(
        expect.arrayContaining(['lock.queued', 'lock.refused', 'lock.released', 'lock.acquired']),
      ),
    )

    // Flo leaves the queue; when Ed releases, nobody is waiting.
    expect(await floLive.request({ type: 'lock.cancel', key })).toMatchObject({ ok: true })
    expect(await edLive.request({ type: 'lock.release', key })).toMatchObject({ ok: true })
    expect(
      (await t.api<{ locks: unknown[] }>(`/api/locks?board=${boardId}`, { token: owner.token }))
        .body.locks,
    ).toEqual([])

    // Owners can force a lock free; the holder is told.
    await floLive.request({ type: 'lock.acquire', key })
    expect(
      (await t.api('/api/locks/force-release', { method: 'POST', token: ed.token, json: { key } }))
        .status,
    ).toBe(403)
    expect(
      (
        await t.api('/api/locks/force-release', {
          method: 'POST',
          token: owner.token,
          json: { key },
        })
      ).status,
    ).toBe(200)
    expect((await floLive.next((m) => m.type === 'notification')).notification).toMatchObject({
      type: 'lock.revoked',
    })
    const audit = await t.api<{ entries: Array<{ action: string }> }>(
      `/api/audit?workspace=${owner.workspaceId}&limit=1000`,
      { token: owner.token },
    )
    for (const action of [
      'lock.granted',
      'lock.refused',
      'lock.queued',
      'lock.released',
      'lock.force_released',
    ]) {
      expect(audit.body.entries.map((e) => e.action)).toContain(action)
    }
  })

  it('[L5] frees the locks of a client that stops answering pings, and of one whose socket is cut, and serves the waiter', async () => {
    const t = await authServer(undefined, { heartbeatMs: 100 })
    const { ed, flo, owner, boardId } = await crew(t)
    for (const [name, cut] of [
      ['silent', false],
      ['cut', true],
    ] as const) {
      const key = `${boardId}/task/${name}`
      const holder = await live(t, ed.token, { autoPong: cut })
      expect(await holder.request({ type: 'lock.acquire', key })).toMatchObject({ ok: true })
      const waiter = await live(t, flo.token)
      await waiter.request({ type: 'subscribe', stream: `board:${boardId}` })
      expect(await waiter.request({ type: 'lock.acquire', key, wait: true })).toMatchObject({
        result: { queued: { position: 1 } },
      })
      if (cut) holder.ws.terminate()
      await waiter.next(
        (m) =>
          m.type === 'notification' &&
          (m.notification as { data: { key: string } }).data.key === key,
      )
      if (!cut) {
        // The silent holder was pinged 3 times without answering, then closed with 4408.
        expect(await holder.closed).toBe(CloseCode.heartbeatMissed)
        expect(holder.messages.filter((m) => m.type === 'ping')).toHaveLength(3)
      }
      // What the waiter saw, in the order its socket delivered it: Ed's lock ended with his
      // session (not by TTL, not by hand), then Flo got it from the queue and was told.
      const trace = waiter.messages.flatMap((m) => {
        if (m.type === 'notification') {
          const n = m.notification as { type: string; data: { key: string } }
          return n.data.key === key ? [`notified ${n.type}`] : []
        }
        if (m.type !== 'event' || m.stream !== `board:${boardId}`) return []
        const e = m.event as {
          type: string
          data: { key: string; holder?: { name: string }; reason?: string; fromQueue?: boolean }
        }
        if (e.data.key !== key || e.type === 'lock.queued') return []
        const how = e.data.reason ?? (e.data.fromQueue ? 'from the queue' : '')
        return [`${e.type} ${e.data.holder?.name} ${how}`.trim()]
      })
      expect(trace).toEqual([
        'lock.released ed session',
        'lock.acquired flo from the queue',
        'notified lock.granted',
      ])
      const locks = await t.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
        token: owner.token,
      })
      expect(locks.body.locks.find((l) => l.key === key)?.holder.name).toBe('flo')
      // Ed's session is over: asking to resume it starts a new one.
      const back = await liveClient(t, { token: ed.token })
      const welcome = await back.hello(holder.sessionId)
      expect(welcome.resumed).toBe(false)
      expect(welcome.sessionId).not.toBe(holder.sessionId)
      back.ws.close()
      waiter.ws.close()
    }
  })
})

describe('locks across restarts', () => {
  it('[L2][L8] keep their holder and remaining TTL; a session that does not come back loses them', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir, { heartbeatMs: 200 })
    const { owner, ed, boardId } = await crew(t)
    const key = `${boardId}/task/t1`
    const httpLock = await acquireHttp(t, owner.token, { key, ttlMs: 600_000 })
    const sessionKey = `${boardId}/task/t2`
    const edLive = await live(t, ed.token)
    expect(await edLive.request({ type: 'lock.acquire', key: sessionKey })).toMatchObject({
      ok: true,
    })
    await t.close()

    const again = await authServer(dataDir, { heartbeatMs: 200 })
    const login = await again.api<{ accessToken: string }>('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'owner-password' },
    })
    const token = login.body.accessToken
    const locks = await again.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
      token,
    })
    const kept = locks.body.locks.find((l) => l.key === key)
    expect(kept).toMatchObject({
      holder: { name: 'Olive' },
      fencingToken: httpLock.body.lock.fencingToken,
    })
    expect(kept?.expiresAt).toBeLessThanOrEqual(httpLock.body.lock.expiresAt + 5)
    // Ed's session never resumes: after the window its lock is released.
    await eventually(async () => {
      const now = await again.api<{ locks: LockBody['lock'][] }>(`/api/locks?board=${boardId}`, {
        token,
      })
      expect(now.body.locks.map((l) => l.key)).toEqual([key])
    })
    await again.api('/api/locks/release', { method: 'POST', token, json: { key } })
    const next = await acquireHttp(again, token, { key })
    expect(next.body.lock.fencingToken).toBeGreaterThan(httpLock.body.lock.fencingToken)
  })
})

describe('locks enforced on the document', () => {
  it('[L11] reverts a non-holder’s edit to a locked task on every replica, keeps their other edit, and tells them', async () => {
    const t = await authServer()
    const { owner, ed, boardId } = await crew(t)
    const ownerDoc = new Y.Doc()
    const edDoc = new Y.Doc()
    await Promise.all([
      synced(t.provider(boardId, ownerDoc, { token: owner.token })),
      synced(t.provider(boardId, edDoc, { token: ed.token })),
    ])
    createTask(ownerDoc, {
      id: 'approve',
      title: 'Approve segment 3',
      order: 'a0',
      createdBy: owner.user.id,
    })
    createTask(ownerDoc, { id: 'notes', title: 'Notes', order: 'a1', createdBy: owner.user.id })
    await eventually(() => expect(board(edDoc).tasks.has('notes')).toBe(true))
    expect((await acquireHttp(t, owner.token, { key: `${boardId}/task/approve` })).status).toBe(200)
    const edLive = await live(t, ed.token)

    edDoc.transact(() => {
      updateTask(edDoc, 'approve', { status: 'done', title: 'Approved by Ed' })
      board(edDoc).tasks.get('approve')?.get('description')?.insert(0, 'overwritten')
      updateTask(edDoc, 'notes', { title: 'Notes by Ed' })
    })
    const error = await edLive.next((m) => m.type === 'error')
    expect(error.error).toMatchObject({
      code: 'locked',
      key: `${boardId}/task/approve`,
      holder: { id: owner.user.id, name: 'Olive' },
    })
    for (const doc of [ownerDoc, edDoc]) {
      await eventually(() => {
        expect(board(doc).tasks.get('notes')?.get('title')).toBe('Notes by Ed')
        expect(board(doc).tasks.get('approve')?.get('title')).toBe('Approve segment 3')
        expect(board(doc).tasks.get('approve')?.get('status')).toBe('todo')
        expect(board(doc).tasks.get('approve')?.get('description')?.toString()).toBe('')
      })
    }
    // The holder's own edits go through.
    updateTask(ownerDoc, 'approve', { status: 'done' })
    await eventually(() => expect(board(edDoc).tasks.get('approve')?.get('status')).toBe('done'))
  })

  it('[L11] reverts an offline edit to a locked task when it arrives on reconnect', async () => {
    const t = await authServer()
    const { owner, ed, boardId } = await crew(t)
    const ownerDoc = new Y.Doc()
    const edDoc = new Y.Doc()
    const edProvider = t.provider(boardId, edDoc, { token: ed.token })
    await Promise.all([
      synced(t.provider(boardId, ownerDoc, { token: owner.token })),
      synced(edProvider),
    ])
    createTask(ownerDoc, { id: 'approve', title: 'Approve', order: 'a0', createdBy: owner.user.id })
    await eventually(() => expect(board(edDoc).tasks.has('approve')).toBe(true))
    edProvider.disconnect()
    updateTask(edDoc, 'approve', { title: 'Changed offline' })
    createTask(edDoc, { id: 'offline', title: 'Made offline', order: 'a1', createdBy: ed.user.id })
    expect((await acquireHttp(t, owner.token, { key: `${boardId}/task/approve` })).status).toBe(200)
    edProvider.connect()
    await eventually(() => {
      expect(board(ownerDoc).tasks.get('offline')?.get('title')).toBe('Made offline')
      expect(board(edDoc).tasks.get('approve')?.get('title')).toBe('Approve')
    })
    expect(board(ownerDoc).tasks.get('approve')?.get('title')).toBe('Approve')
  })
})

describe('locks across a crash', () => {
  it('[L2][L8] keep the lock and keep tokens growing after SIGKILL', async () => {
    const { freePort, killed, ready, startChild } = await import('./child.ts')
    const dataDir = tempDir()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const post = (path: string, body: object) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    let child = startChild(dataDir, port)
    try {
      await ready(url)
      const ws = (await (await post('/api/workspaces', { name: 'w' })).json()) as {
        workspace: { id: string }
      }
      await post(`/api/workspaces/${ws.workspace.id}/boards`, { title: 'b', id: 'crashy' })
      const first = (await (
        await post('/api/locks/acquire', { key: 'crashy/task/t1', ttlMs: 600_000 })
      ).json()) as LockBody
      await killed(child)

      child = startChild(dataDir, port)
      await ready(url)
      const after = (await (await fetch(`${url}/api/locks?board=crashy`)).json()) as {
        locks: LockBody['lock'][]
      }
      expect(after.locks).toEqual([
        expect.objectContaining({ key: 'crashy/task/t1', fencingToken: first.lock.fencingToken }),
      ])
      await post('/api/locks/release', { key: 'crashy/task/t1' })
      const next = (await (
        await post('/api/locks/acquire', { key: 'crashy/task/t1' })
      ).json()) as LockBody
      expect(next.lock.fencingToken).toBeGreaterThan(first.lock.fencingToken)
    } finally {
      await killed(child)
    }
  }, 60_000)
})
