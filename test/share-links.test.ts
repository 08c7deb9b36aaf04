/**
 * Share links (docs/product.md, "Share links"): owners make, list and revoke them; an outsider
 * joins one as a guest who reaches that one board and nothing else; revocation and expiry cut
 * the guest off at once (4403 on every open socket, tokens refused).
 */
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { addComment, addMedia, board, createThread } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner, type SessionBody } from './accounts.ts'
import { cleanup, closeCode, eventually, synced, type TestServer } from './harness.ts'
import { liveClient } from './live-client.ts'
import { png } from './media-samples.ts'
import { storedRows } from './stored-rows.ts'

afterEach(cleanup)

interface LinkBody {
  link: {
    id: string
    token: string
    url: string
    role: string
    expiresAt: number
    state: string
    hasPassword: boolean
    guests: number
  }
}
type Joined = SessionBody & { boardId: string; role: string }

async function studio(overrides: Parameters<typeof authServer>[1] = {}) {
  const t = await authServer(undefined, overrides)
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'cut-a')
  return { t, owner, boardId }
}

const makeLink = (t: TestServer, token: string, boardId: string, body: object) =>
  t.api<LinkBody & { error: { code: string } }>(`/api/boards/${boardId}/links`, {
    method: 'POST',
    token,
    json: body,
  })

const join = (t: TestServer, linkToken: string, body: object) =>
  t.api<Joined & { error: { code: string; passwordRequired?: boolean } }>(
    `/api/links/${linkToken}/join`,
    { method: 'POST', json: body },
  )

async function joined(t: TestServer, linkToken: string, name: string) {
  const answer = await join(t, linkToken, { name })
  expect(answer.status).toBe(200)
  // The refresh cookie, as a browser would send it back to /api/auth/refresh.
  const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0] as string
  return { ...answer.body, cookie }
}

/** Refreshes a session: the status, and the rotated cookie. */
const refresh = async (t: TestServer, cookie: string) => {
  const response = await fetch(`${t.url}/api/auth/refresh`, { method: 'POST', headers: { cookie } })
  return {
    status: response.status,
    cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] as string,
  }
}

/** `promise`, or a failure once `ms` have passed. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/** A raw document socket, resolving once it is open (or with its close code if refused). */
function docSocket(t: TestServer, boardId: string, token: string) {
  const ws = new WebSocket(`${t.docUrl}/${boardId}?token=${token}`)
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)))
  return { ws, closed }
}

describe('share links', () => {
  it('are made, listed and revoked by owners; joined with and without a password', async () => {
    const { t, owner, boardId } = await studio({ limits: { loginAttempts: 3 } })
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'ed')
    const started = Date.now()
    const open = await makeLink(t, owner.token, boardId, { role: 'reviewer' })
    expect(open.status).toBe(201)
    expect(open.body.link).toMatchObject({ role: 'reviewer', state: 'active', hasPassword: false })
    expect(open.body.link.url).toBe(`${t.url}/link/${open.body.link.token}`)
    // Seven days unless asked otherwise.
    expect(open.body.link.expiresAt - started).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000 - 1000)
    expect((await makeLink(t, ed.token, boardId, { role: 'viewer' })).status).toBe(403)
    expect((await makeLink(t, owner.token, boardId, { role: 'editor' })).status).toBe(400)

    const guest = await joined(t, open.body.link.token, 'Gwen')
    expect(guest).toMatchObject({ boardId, role: 'reviewer', user: { name: 'Gwen' } })
    const me = await t.api<{ workspaces: unknown[]; guest: unknown }>('/api/me', {
      token: guest.accessToken,
    })
    expect(me.body).toMatchObject({ workspaces: [], guest: { boardId, role: 'reviewer' } })
    expect((await join(t, open.body.link.token, { name: 'gwen' })).status).toBe(409)

    const locked = await makeLink(t, owner.token, boardId, {
      role: 'viewer',
      password: 'secret-pass',
      expiresInHours: 2,
    })
    expect(locked.body.link).toMatchObject({ role: 'viewer', hasPassword: true })
    const token = locked.body.link.token
    const none = await join(t, token, { name: 'Vic' })
    expect(none.status).toBe(401)
    expect(none.body.error.passwordRequired).toBe(true)
    expect((await join(t, token, { name: 'Vic', password: 'wrong-pass' })).status).toBe(401)
    const vic = await join(t, token, { name: 'Vic', password: 'secret-pass' })
    expect(vic.status).toBe(200)
    expect(vic.body.role).toBe('viewer')
    expect(vic.headers.get('set-cookie')).toContain('loupe_refresh=')

    const list = await t.api<{ links: Array<Record<string, unknown>> }>(
      `/api/boards/${boardId}/links`,
      { token: owner.token },
    )
    expect(list.body.links.map((l) => [l.role, l.guests, l.state])).toEqual([
      ['reviewer', 1, 'active'],
      ['viewer', 1, 'active'],
    ])
    for (const link of list.body.links) expect(link).not.toHaveProperty('token')

    const revoked = await t.api<LinkBody>(`/api/boards/${boardId}/links/${open.body.link.id}`, {
      method: 'DELETE',
      token: owner.token,
    })
    expect(revoked.body.link.state).toBe('revoked')
    expect((await join(t, open.body.link.token, { name: 'Late' })).status).toBe(404)
    expect((await t.api('/api/me', { token: guest.accessToken })).status).toBe(401)

    const audit = await t.api<{ entries: Array<{ action: string }> }>(
      `/api/audit?workspace=${owner.workspaceId}`,
      { token: owner.token },
    )
    expect(audit.body.entries.map((e) => e.action).filter((a) => a.startsWith('link.'))).toEqual([
      'link.created',
      'link.joined',
      'link.created',
      'link.joined',
      'link.revoked',
    ])

    // Wrong passwords are counted like failed logins (3 in this server), then 429.
    for (let i = 0; i < 2; i++) await join(t, token, { name: 'Mal', password: 'guess-one' })
    const blocked = await join(t, token, { name: 'Mal', password: 'secret-pass' })
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('let a guest reach their one board and nothing else, at every door', async () => {
    const { t, owner, boardId } = await studio()
    const other = await createBoard(t, owner.token, owner.workspaceId, 'cut-b')
    const elsewhere = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Private' },
    })
    const privateWs = elsewhere.body.workspace.id
    const privateBoard = await createBoard(t, owner.token, privateWs, 'secret')
    const upload = async (board: string, seed: number) => {
      const response = await fetch(`${t.url}/api/media?board=${board}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'image/png' },
        body: png(4, 3, seed) as Uint8Array<ArrayBuffer>,
      })
      return ((await response.json()) as { media: { hash: string } }).media.hash
    }
    const [ours, theirs] = [await upload(boardId, 1), await upload(other, 2)]
    const ownerDocs = { ours: new Y.Doc(), theirs: new Y.Doc() }
    await synced(t.provider(boardId, ownerDocs.ours, { token: owner.token }))
    await synced(t.provider(other, ownerDocs.theirs, { token: owner.token }))
    const item = (hash: string) =>
      ({ id: 'm1', kind: 'image', hash, name: 'x.png', bytes: 1, addedBy: owner.user.id }) as const
    addMedia(ownerDocs.ours, item(ours))
    addMedia(ownerDocs.theirs, item(theirs))

    const link = await makeLink(t, owner.token, boardId, { role: 'reviewer' })
    const guest = await joined(t, link.body.link.token, 'Gwen')
    const as = (path: string, init: Parameters<TestServer['api']>[1] = {}) =>
      t.api(path, { ...init, token: guest.accessToken }).then((r) => r.status)
    const ws = owner.workspaceId

    // HTTP: their board, readable as a reviewer.
    expect(await as(`/api/boards/${boardId}`)).toBe(200)
    expect(await as(`/api/boards/${boardId}/export`)).toBe(200)
    expect(await as(`/api/boards/${boardId}/people`)).toBe(200)
    expect(await as(`/api/presence/${boardId}`)).toBe(200)
    expect(await as(`/api/events?stream=board:${boardId}`)).toBe(200)
    expect(await as(`/api/locks?board=${boardId}`)).toBe(200)
    expect(await as(`/api/media/${ours}`)).toBe(200)
    expect(await as('/api/workspaces')).toBe(200)
    expect(await as('/api/notifications')).toBe(200)
    // ...but nothing a reviewer may not do there, and nothing anywhere else.
    const refused: Array<[string, Parameters<TestServer['api']>[1]?]> = [
      [`/api/boards/${boardId}`, { method: 'PATCH', json: { title: 'Mine' } }],
      [`/api/boards/${boardId}`, { method: 'DELETE' }],
      [`/api/boards/${boardId}/links`],
      [`/api/boards/${boardId}/links`, { method: 'POST', json: { role: 'reviewer' } }],
      ['/api/locks/acquire', { method: 'POST', json: { key: `${boardId}/media/m1` } }],
      [
        `/api/media?board=${boardId}`,
        { method: 'POST', body: png(), headers: { 'content-type': 'image/png' } },
      ],
      [`/api/media/${theirs}`],
      ['/api/workspaces', { method: 'POST', json: { name: 'Mine' } }],
      [`/api/workspaces/${ws}/members`],
      [`/api/workspaces/${ws}/boards`],
      [`/api/workspaces/${ws}/boards`, { method: 'POST', json: { title: 'x' } }],
      [`/api/workspaces/${ws}/invites`, { method: 'POST', json: { role: 'viewer' } }],
      [`/api/audit?workspace=${ws}`],
      [`/api/events?stream=workspace:${ws}`],
      [`/api/search?q=plan&workspace=${ws}&board=${other}`],
      [`/api/search?q=plan&workspace=${privateWs}`],
      ...[other, privateBoard].flatMap((id): Array<[string]> => [
        [`/api/boards/${id}`],
        [`/api/boards/${id}/export`],
        [`/api/boards/${id}/people`],
        [`/api/boards/${id}/versions`],
        [`/api/boards/${id}/since-last-visit`],
        [`/api/boards/${id}/report`],
        [`/api/boards/${id}/tasks.csv`],
        [`/api/presence/${id}`],
        [`/api/events?stream=board:${id}`],
        [`/api/locks?board=${id}`],
      ]),
    ]
    // Refused means refused by the route (4xx), not for a bad token (401) or by accident (5xx).
    const answered = []
    for (const [path, init] of refused)
      answered.push({ door: `${init?.method ?? 'GET'} ${path}`, status: await as(path, init) })
    expect(
      answered.filter(({ status }) => status < 400 || status === 401 || status >= 500),
    ).toEqual([])
    // Search over the workspace finds text on their board only.
    createThread(ownerDocs.theirs, {
      id: 'th9',
      anchor: { type: 'board', id: other },
      createdBy: owner.user.id,
    })
    addComment(ownerDocs.theirs, 'th9', {
      id: 'c9',
      authorId: owner.user.id,
      body: 'the hidden plan',
    })
    const search = (token: string) =>
      t.api<{ results: Array<{ boardId: string }> }>(`/api/search?q=plan&workspace=${ws}`, {
        token,
      })
    await eventually(async () =>
      expect((await search(owner.token)).body.results.map((r) => r.boardId)).toContain(other),
    )
    const found = await search(guest.accessToken)
    expect(found.status).toBe(200)
    expect(found.body.results).toEqual([])
    const me = await t.api<{ workspaces: unknown[] }>('/api/me', { token: guest.accessToken })
    expect(me.body.workspaces).toEqual([])
    const workspaces = await t.api<{ workspaces: unknown[] }>('/api/workspaces', {
      token: guest.accessToken,
    })
    expect(workspaces.body.workspaces).toEqual([])
    // An invite cannot turn a guest into a member somewhere.
    const code = await t.api<{ code: string }>(`/api/workspaces/${privateWs}/invites`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'editor' },
    })
    expect(await as(`/api/invites/${code.body.code}/accept`, { method: 'POST' })).toBe(403)

    // Document sockets: their board opens; others close with 4403.
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: guest.accessToken }))
    expect(board(doc).media.has('m1')).toBe(true)
    for (const id of [other, privateBoard])
      expect(await closeCode(await t.raw(id, `?token=${guest.accessToken}`))).toBe(
        CloseCode.forbidden,
      )

    // Live socket: their board's stream, no other stream.
    const live = await liveClient(t, { token: guest.accessToken })
    await live.hello()
    expect(await live.request({ type: 'subscribe', stream: `board:${boardId}` })).toMatchObject({
      ok: true,
    })
    for (const stream of [`board:${other}`, `board:${privateBoard}`, `workspace:${ws}`, 'system'])
      expect(await live.request({ type: 'subscribe', stream })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      })

    // People see the guest by name, and the guest hears about their board.
    createThread(ownerDocs.ours, {
      id: 'th1',
      anchor: { type: 'board', id: boardId },
      createdBy: owner.user.id,
    })
    addComment(ownerDocs.ours, 'th1', {
      id: 'c1',
      authorId: owner.user.id,
      body: '@Gwen what do you think?',
      mentions: [guest.user.id],
    })
    const mention = await live.next((m) => m.type === 'notification')
    expect(mention.notification).toMatchObject({ type: 'mention', boardId, threadId: 'th1' })
    addComment(doc, 'th1', { id: 'c2', authorId: guest.user.id, body: 'Love it' })
    const people = await t.api<{ people: Array<{ name: string; role: string; guest: boolean }> }>(
      `/api/boards/${boardId}/people`,
      { token: owner.token },
    )
    expect(people.body.people.map((p) => [p.name, p.role, p.guest])).toEqual([
      ['Olive', 'owner', false],
      ['Gwen', 'reviewer', true],
    ])
    await eventually(() =>
      expect(live.events(`board:${boardId}`).at(-1)?.event).toMatchObject({
        type: 'comment.created',
        actor: { id: guest.user.id, name: 'Gwen' },
      }),
    )
  })

  it('revoking a link closes its guests’ document and live sockets with 4403 at once', async () => {
    // The periodic check for ended links is far off: only the revocation itself can close them.
    const { t, owner, boardId } = await studio({ tokenCheckMs: 600_000 })
    const link = await makeLink(t, owner.token, boardId, { role: 'reviewer' })
    const gwen = await joined(t, link.body.link.token, 'Gwen')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: gwen.accessToken })
    await synced(provider)
    const raw = docSocket(t, boardId, gwen.accessToken)
    await new Promise((resolve) => raw.ws.once('open', resolve))
    const live = await liveClient(t, { token: gwen.accessToken })
    await live.hello()
    const providerClosed = new Promise<number>((resolve) =>
      provider.once('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
    )

    const revoked = await t.api(`/api/boards/${boardId}/links/${link.body.link.id}`, {
      method: 'DELETE',
      token: owner.token,
    })
    expect(revoked.status).toBe(200)
    expect(await within(2000, Promise.all([raw.closed, live.closed, providerClosed]))).toEqual([
      CloseCode.forbidden,
      CloseCode.forbidden,
      CloseCode.forbidden,
    ])
    expect((await t.api('/api/me', { token: gwen.accessToken })).status).toBe(401)
    expect((await refresh(t, gwen.cookie)).status).toBe(401)
    expect(await closeCode(await t.raw(boardId, `?token=${gwen.accessToken}`))).toBe(
      CloseCode.unauthorized,
    )
  })

  it('an expired link refuses to join, and its guests are cut off', async () => {
    const { t, owner, boardId } = await studio({ tokenCheckMs: 50 })
    const link = await makeLink(t, owner.token, boardId, { role: 'viewer' })
    const gwen = await joined(t, link.body.link.token, 'Gwen')
    const refreshed = await refresh(t, gwen.cookie)
    expect(refreshed.status).toBe(200)
    const raw = docSocket(t, boardId, gwen.accessToken)
    await new Promise((resolve) => raw.ws.once('open', resolve))
    const live = await liveClient(t, { token: gwen.accessToken })
    await live.hello()

    // Time passes for the link (the database is the clock the server reads expiry from).
    const aged = await storedRows(t).run(
      'UPDATE share_links SET expires_at = ? WHERE id = ?',
      Date.now() - 1000,
      link.body.link.id,
    )
    expect(aged).toBe(1)
    // The check runs every 50 ms here.
    expect(await within(2000, Promise.all([raw.closed, live.closed]))).toEqual([
      CloseCode.forbidden,
      CloseCode.forbidden,
    ])
    expect((await t.api('/api/me', { token: gwen.accessToken })).status).toBe(401)
    expect((await refresh(t, refreshed.cookie)).status).toBe(401)
    const late = await join(t, link.body.link.token, { name: 'Late' })
    expect(late.status).toBe(410)
    expect(late.body.error.code).toBe('link_expired')
    const list = await t.api<{ links: Array<{ state: string }> }>(`/api/boards/${boardId}/links`, {
      token: owner.token,
    })
    expect(list.body.links.map((l) => l.state)).toEqual(['expired'])
  })
})
