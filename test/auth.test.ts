import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { AccessTokens } from '../server/auth/tokens.ts'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { YMessage, YSync } from '../shared/protocol/y-messages.ts'
import { board, createTask } from '../shared/schema/board.ts'
import {
  authServer,
  createBoard,
  invite,
  setupOwner,
  SETUP_CODE,
  type SessionBody,
} from './accounts.ts'
import { cleanup, closeCode, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { storedRows } from './stored-rows.ts'

afterEach(cleanup)

describe('setup and sign-in', () => {
  it('creates the owner only with the right code, and only once', async () => {
    const t = await authServer()
    expect((await t.api('/api/me')).status).toBe(401)
    const wrong = await t.api('/api/setup', {
      method: 'POST',
      json: { code: 'guess', name: 'Eve', password: 'password123' },
    })
    expect(wrong.status).toBe(403)
    const { token } = await setupOwner(t)
    expect((await t.api('/api/me', { token })).status).toBe(200)
    const second = await t.api('/api/setup', {
      method: 'POST',
      json: { code: SETUP_CODE, name: 'Eve', password: 'password123' },
    })
    expect(second.status).toBe(409)
  })

  it('prints a setup code at first start when none is configured', async () => {
    const t = await startTestServer({ auth: true })
    const line = t.logs.find((l) => typeof l.setupCode === 'string')
    const code = line?.setupCode as string
    expect(code).toMatch(/^[A-Z2-9]{10}$/)
    const setup = await t.api('/api/setup', {
      method: 'POST',
      json: { code, name: 'Olive', password: 'owner-password' },
    })
    expect(setup.status).toBe(201)
  })

  it('refuses a wrong password, then answers 429 with Retry-After after repeated failures', async () => {
    const t = await authServer()
    await setupOwner(t)
    const bad = await t.api<{ error: { code: string } }>('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'nope-nope' },
    })
    expect(bad.status).toBe(401)
    for (let i = 0; i < 9; i++)
      await t.api('/api/auth/login', {
        method: 'POST',
        json: { name: 'Olive', password: 'nope-nope' },
      })
    const blocked = await t.api<{ error: { code: string } }>('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'owner-password' },
    })
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('rate_limited')
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('a refresh retried right after a lost reply still works (grace), without ending the session', async () => {
    const t = await authServer()
    await setupOwner(t)
    const login = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Olive', password: 'owner-password' }),
    })
    const spent = (login.headers.get('set-cookie') as string).split(';')[0] as string
    const refresh = (cookie: string) =>
      fetch(`${t.url}/api/auth/refresh`, { method: 'POST', headers: { cookie } })
    const first = await refresh(spent)
    expect(first.status).toBe(200)
    // The reply "was lost": the browser presents the spent cookie again.
    const retry = await refresh(spent)
    expect(retry.status).toBe(200)
    const next = (retry.headers.get('set-cookie') as string).split(';')[0] as string
    expect((await refresh(next)).status).toBe(200)
  })

  it('rotates refresh tokens from the HttpOnly cookie; a reused one ends the session', async () => {
    const t = await authServer(undefined, { refreshReuseGraceMs: 0 })
    await setupOwner(t)
    const login = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'olive', password: 'owner-password' }),
    })
    expect(login.status).toBe(200)
    const cookie = login.headers.get('set-cookie') as string
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    const first = cookie.split(';')[0] as string
    const refresh = (c: string) =>
      fetch(`${t.url}/api/auth/refresh`, { method: 'POST', headers: { cookie: c } })
    const rotated = await refresh(first)
    expect(rotated.status).toBe(200)
    const second = (rotated.headers.get('set-cookie') as string).split(';')[0] as string
    expect(second).not.toBe(first)
    expect((await rotated.json()).accessToken).toEqual(expect.any(String))
    // Replaying the spent token revokes the family: the newer one stops working too.
    expect((await refresh(first)).status).toBe(401)
    expect((await refresh(second)).status).toBe(401)

    const again = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Olive', password: 'owner-password' }),
    })
    const third = (again.headers.get('set-cookie') as string).split(';')[0] as string
    expect(
      (await fetch(`${t.url}/api/auth/logout`, { method: 'POST', headers: { cookie: third } }))
        .status,
    ).toBe(200)
    expect((await refresh(third)).status).toBe(401)
  })
})

describe('the document socket door', () => {
  it('refuses missing, tampered, alg:none and expired tokens with 4401, strangers with 4403', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir)
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'secret-board')

    const [header, payload, signature] = owner.token.split('.') as [string, string, string]
    const tampered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`
    const secret = new TextEncoder().encode(
      readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim(),
    )
    const expired = (
      await new AccessTokens(secret, () => Date.now() - 10 * 60_000).issue(owner.user.id)
    ).token
    for (const query of [
      '',
      '?token=',
      `?token=${tampered}`,
      `?token=${none}`,
      `?token=${expired}`,
      '?token=garbage',
    ]) {
      expect(await closeCode(await t.raw(boardId, query))).toBe(CloseCode.unauthorized)
    }
    expect((await t.api('/api/me', { token: expired })).status).toBe(401)
    expect((await t.api('/api/me', { token: none })).status).toBe(401)

    // Someone from another workspace: authenticated, but not a member here.
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const stranger = await invite(t, owner.token, other.body.workspace.id, 'editor', 'stranger')
    expect(await closeCode(await t.raw(boardId, `?token=${stranger.token}`))).toBe(
      CloseCode.forbidden,
    )
    expect((await t.api(`/api/boards/${boardId}`, { token: stranger.token })).status).toBe(404)
    expect(await closeCode(await t.raw('no-such-board', `?token=${owner.token}`))).toBe(
      CloseCode.notFound,
    )

    // The owner gets in, and the token never reaches the log.
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    expect(JSON.stringify(t.logs)).not.toContain(owner.token)
    expect(JSON.stringify(t.logs)).not.toContain(signature)
  })

  it('never applies, stores or relays a viewer’s edits, while the viewer receives the owner’s', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir)
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'review')
    const viewer = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vera')

    const ownerDoc = new Y.Doc()
    const viewerDoc = new Y.Doc()
    const ownerProvider = t.provider(boardId, ownerDoc, { token: owner.token })
    const viewerProvider = t.provider(boardId, viewerDoc, { token: viewer.token })
    await Promise.all([synced(ownerProvider), synced(viewerProvider)])
    const denied = new Promise<string>((resolve) => {
      const ws = viewerProvider.ws as unknown as {
        addEventListener(type: string, fn: (e: { data: ArrayBuffer }) => void): void
      }
      ws.addEventListener('message', (event) => {
        const bytes = new Uint8Array(event.data)
        if (bytes[0] === 2 && bytes[1] === 0) resolve(new TextDecoder().decode(bytes.subarray(3)))
      })
    })

    createTask(viewerDoc, {
      id: 'sneaky',
      title: 'Viewer edit',
      order: 'a0',
      createdBy: viewer.user.id,
    })
    createTask(ownerDoc, { id: 'real', title: 'Owner edit', order: 'a1', createdBy: owner.user.id })
    await eventually(() =>
      expect(board(viewerDoc).tasks.get('real')?.get('title')).toBe('Owner edit'),
    )
    expect(await denied).toContain('read-only')
    expect(viewerProvider.wsconnected).toBe(true)
    expect(board(ownerDoc).tasks.has('sneaky')).toBe(false)
    expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('sneaky')).toBe(false)

    // Awareness still flows for the viewer, stamped with the viewer's real identity.
    viewerProvider.awareness.setLocalState({
      user: { id: owner.user.id, name: 'Olive' },
      status: 'active',
    })
    const vid = viewerProvider.awareness.clientID
    await eventually(() =>
      expect(ownerProvider.awareness.getStates().get(vid)?.user).toEqual(viewer.user),
    )

    await t.close()
    const again = await authServer(dataDir)
    const login = await again.api<SessionBody>('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'owner-password' },
    })
    const fresh = new Y.Doc()
    await synced(again.provider(boardId, fresh, { token: login.body.accessToken }))
    expect(board(fresh).tasks.has('real')).toBe(true)
    expect(board(fresh).tasks.has('sneaky')).toBe(false)
  })

  it('applies membership changes to open sockets at once', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'live')
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'eddie')
    const ownerDoc = new Y.Doc()
    const edDoc = new Y.Doc()
    const ownerProvider = t.provider(boardId, ownerDoc, { token: owner.token })
    const edProvider = t.provider(boardId, edDoc, { token: ed.token })
    await Promise.all([synced(ownerProvider), synced(edProvider)])
    createTask(edDoc, { id: 'before', title: 'As editor', order: 'a0', createdBy: ed.user.id })
    await eventually(() => expect(board(ownerDoc).tasks.has('before')).toBe(true))

    // Downgrade: the same open socket can no longer write.
    const patched = await t.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
      method: 'PATCH',
      token: owner.token,
      json: { role: 'viewer' },
    })
    expect(patched.status).toBe(200)
    createTask(edDoc, { id: 'after', title: 'As viewer', order: 'a1', createdBy: ed.user.id })
    // Ed's presence change leaves on the same socket after his write, and the server handles
    // a socket's messages in order: once the owner sees it, the write has been handled.
    edProvider.awareness.setLocalStateField('probe', 'sent after the write')
    await eventually(() =>
      expect(ownerProvider.awareness.getStates().get(edDoc.clientID)?.probe).toBe(
        'sent after the write',
      ),
    )
    expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').has('after')).toBe(false)
    // A viewer still receives everyone else's changes.
    createTask(ownerDoc, {
      id: 'marker',
      title: 'Owner after',
      order: 'a2',
      createdBy: owner.user.id,
    })
    await eventually(() => expect(board(edDoc).tasks.has('marker')).toBe(true))

    // Removal: the open socket closes with 4403 at once, that is before anything written after
    // the removal can reach it. Both would be frames on this one socket, so the order is exact.
    const raw = await t.raw(boardId, `?token=${ed.token}`)
    // Joined: the owner's, Ed's provider and this socket are the board's peers.
    await eventually(() => expect(t.server.rooms.loaded(boardId)?.peers.size).toBe(3))
    const first = new Promise<string>((resolve) => {
      raw.on('message', (data: Buffer) => {
        if (data[0] === YMessage.sync && data[1] === YSync.update) resolve('a later write')
      })
      raw.once('close', (code: number) => resolve(`closed ${code}`))
    })
    const removed = await t.api(`/api/workspaces/${owner.workspaceId}/members/${ed.user.id}`, {
      method: 'DELETE',
      token: owner.token,
    })
    expect(removed.status).toBe(200)
    createTask(ownerDoc, {
      id: 'after-removal',
      title: 'Not for Ed',
      order: 'a3',
      createdBy: owner.user.id,
    })
    expect(await first).toBe(`closed ${CloseCode.forbidden}`)
    expect(await closeCode(await t.raw(boardId, `?token=${ed.token}`))).toBe(CloseCode.forbidden)

    // The last owner can be neither removed nor downgraded.
    const last = await t.api(`/api/workspaces/${owner.workspaceId}/members/${owner.user.id}`, {
      method: 'PATCH',
      token: owner.token,
      json: { role: 'editor' },
    })
    expect(last.status).toBe(409)
    expect(
      (
        await t.api(`/api/workspaces/${owner.workspaceId}/members/${owner.user.id}`, {
          method: 'DELETE',
          token: owner.token,
        })
      ).status,
    ).toBe(409)
  })
})

describe('invites', () => {
  it('enforce max uses and expiry, and add an existing signed-in user', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const once = await t.api<{ code: string }>(`/api/workspaces/${owner.workspaceId}/invites`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'editor', maxUses: 1 },
    })
    const accept = (code: string, name: string) =>
      t.api<{ error: { code: string } }>(`/api/invites/${code}/accept`, {
        method: 'POST',
        json: { name, password: 'a-long-password' },
      })
    expect((await accept(once.body.code, 'first')).status).toBe(200)
    const used = await accept(once.body.code, 'second')
    expect(used.status).toBe(410)
    expect(used.body.error.code).toBe('invite_used_up')
    expect((await accept('x'.repeat(24), 'third')).status).toBe(404)

    const members = await t.api<{ members: Array<{ name: string; role: string }> }>(
      `/api/workspaces/${owner.workspaceId}/members`,
      { token: owner.token },
    )
    expect(members.body.members.map((m) => [m.name, m.role])).toEqual([
      ['Olive', 'owner'],
      ['first', 'editor'],
    ])
    // Only owners make invites.
    const first = await t.api<SessionBody>('/api/auth/login', {
      method: 'POST',
      json: { name: 'first', password: 'a-long-password' },
    })
    const notOwner = await t.api(`/api/workspaces/${owner.workspaceId}/invites`, {
      method: 'POST',
      token: first.body.accessToken,
      json: { role: 'owner' },
    })
    expect(notOwner.status).toBe(403)

    // An existing user accepts with their token into a second workspace.
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Second' },
    })
    const link = await t.api<{ code: string }>(
      `/api/workspaces/${other.body.workspace.id}/invites`,
      { method: 'POST', token: owner.token, json: { role: 'viewer' } },
    )
    const joined = await t.api(`/api/invites/${link.body.code}/accept`, {
      method: 'POST',
      token: first.body.accessToken,
    })
    expect(joined.status).toBe(200)
    const me = await t.api<{ workspaces: Array<{ name: string; role: string }> }>('/api/me', {
      token: first.body.accessToken,
    })
    expect(me.body.workspaces.map((w) => [w.name, w.role])).toEqual([
      ['Home', 'editor'],
      ['Second', 'viewer'],
    ])
  })

  it('refuses an expired invite', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir)
    const owner = await setupOwner(t)
    const link = await t.api<{ code: string }>(`/api/workspaces/${owner.workspaceId}/invites`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'editor', expiresInHours: 1 },
    })
    // Age the invite in the database (no clock to move in a running server).
    expect(await storedRows(t).run('UPDATE invites SET expires_at = ?', Date.now() - 1000)).toBe(1)
    const late = await t.api<{ error: { code: string } }>(`/api/invites/${link.body.code}/accept`, {
      method: 'POST',
      json: { name: 'late', password: 'a-long-password' },
    })
    expect(late.status).toBe(410)
    expect(late.body.error.code).toBe('invite_expired')
  })
})
