/**
 * `npm run admin -- reset-password <name>` (docs/operations.md, "Accounts"): prints a new
 * password and ends that user's sessions — every refresh token of theirs stops refreshing —
 * beside a running server, while other users' sessions carry on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { adminCli, adminEnv } from './admin-cli.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, closeCode, tempDir, type TestServer } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

/** `npm run admin -- <args>` on a server's deployment, as an operator runs it beside it. */
const admin = (t: TestServer, ...args: string[]) => adminCli(args, adminEnv(t))

async function login(t: TestServer, name: string, password: string) {
  const response = await fetch(`${t.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password }),
  })
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string
  return { status: response.status, cookie }
}

const refresh = (t: TestServer, cookie: string) =>
  fetch(`${t.url}/api/auth/refresh`, { method: 'POST', headers: { cookie } })

describe('admin reset-password', () => {
  it('ends every session of the user (their refresh cookies stop refreshing) and no one else’s', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir)
    const owner = await setupOwner(t)
    await invite(t, owner.token, owner.workspaceId, 'editor', 'gus')

    // Gus is signed in on two devices; Olive on one.
    const laptop = await login(t, 'gus', 'gus-password')
    const phone = await login(t, 'gus', 'gus-password')
    const olive = await login(t, 'Olive', 'owner-password')
    for (const session of [laptop, phone, olive]) {
      expect(session.status).toBe(200)
      expect(session.cookie).toMatch(/^loupe_refresh=/)
    }
    // The phone has refreshed once already: its current cookie is the rotated one.
    const rotated = await refresh(t, phone.cookie)
    expect(rotated.status).toBe(200)
    const phoneCookie = (rotated.headers.get('set-cookie') ?? '').split(';')[0] as string

    const result = await admin(t, 'reset-password', 'gus')
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    const password = /new password for gus: (\S+)/.exec(result.stdout)?.[1]
    expect(password).toEqual(expect.any(String))

    expect((await refresh(t, laptop.cookie)).status).toBe(401)
    expect((await refresh(t, phoneCookie)).status).toBe(401)
    // Olive's session is untouched.
    expect((await refresh(t, olive.cookie)).status).toBe(200)

    // The old password is gone; the printed one signs in, and that new session refreshes.
    expect((await login(t, 'gus', 'gus-password')).status).toBe(401)
    const fresh = await login(t, 'gus', password as string)
    expect(fresh.status).toBe(200)
    expect((await refresh(t, fresh.cookie)).status).toBe(200)
  }, 60_000)

  it('ends the user’s access tokens and closes their open sockets with 4401 at once', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir, { tokenCheckMs: 50 })
    const owner = await setupOwner(t)
    const gus = await invite(t, owner.token, owner.workspaceId, 'editor', 'gus')
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shots')
    const doc = await t.raw(boardId, `?token=${gus.token}`)
    const docClosed = closeCode(doc)
    const live = await liveClient(t, { token: gus.token })
    await live.hello()
    const oliveDoc = await t.raw(boardId, `?token=${owner.token}`)
    expect((await t.api('/api/me', { token: gus.token })).status).toBe(200)

    const result = await admin(t, 'reset-password', 'gus')
    expect(result.code).toBe(0)

    // The token Gus held a moment ago is void everywhere, and his sockets are told so.
    expect((await t.api('/api/me', { token: gus.token })).status).toBe(401)
    expect(await docClosed).toBe(CloseCode.unauthorized)
    expect(await live.closed).toBe(CloseCode.unauthorized)
    // Olive is untouched; a fresh sign-in of Gus works again.
    expect(oliveDoc.readyState).toBe(oliveDoc.OPEN)
    expect((await t.api('/api/me', { token: owner.token })).status).toBe(200)
    const password = /new password for gus: (\S+)/.exec(result.stdout)?.[1] as string
    const fresh = await t.api<{ accessToken: string }>('/api/auth/login', {
      method: 'POST',
      json: { name: 'gus', password },
    })
    expect((await t.api('/api/me', { token: fresh.body.accessToken })).status).toBe(200)
  }, 60_000)
})
