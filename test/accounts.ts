/** Accounts for tests with auth on: the owner, invited members, boards. */
import { expect } from 'vitest'
import { startTestServer, type TestServer } from './harness.ts'

export const SETUP_CODE = 'open-sesame-42'

export interface SessionBody {
  user: { id: string; name: string; color: string }
  accessToken: string
  expiresAt: number
}

export async function authServer(
  dataDir?: string,
  overrides: Parameters<typeof startTestServer>[0] = {},
) {
  return startTestServer({
    auth: true,
    setupCode: SETUP_CODE,
    ...overrides,
    ...(dataDir ? { dataDir } : {}),
  })
}

export async function setupOwner(t: TestServer) {
  const setup = await t.api<SessionBody>('/api/setup', {
    method: 'POST',
    json: { code: SETUP_CODE, name: 'Olive', password: 'owner-password' },
  })
  expect(setup.status).toBe(201)
  const token = setup.body.accessToken
  const me = await t.api<{ workspaces: Array<{ id: string; role: string }> }>('/api/me', { token })
  const workspaceId = me.body.workspaces[0]?.id as string
  return { token, user: setup.body.user, workspaceId }
}

/** Creates a member through an invite link, as a new account. */
export async function invite(
  t: TestServer,
  ownerToken: string,
  workspaceId: string,
  role: string,
  name: string,
) {
  const created = await t.api<{ code: string; url: string }>(
    `/api/workspaces/${workspaceId}/invites`,
    {
      method: 'POST',
      token: ownerToken,
      json: { role },
    },
  )
  expect(created.status).toBe(201)
  expect(created.body.url).toBe(`${t.url}/invite/${created.body.code}`)
  const accepted = await t.api<SessionBody & { workspace: { id: string } }>(
    `/api/invites/${created.body.code}/accept`,
    {
      method: 'POST',
      json: { name, password: `${name}-password` },
    },
  )
  expect(accepted.status).toBe(200)
  expect(accepted.body.workspace.id).toBe(workspaceId)
  return { token: accepted.body.accessToken, user: accepted.body.user }
}

export async function createBoard(t: TestServer, token: string, workspaceId: string, id: string) {
  const created = await t.api(`/api/workspaces/${workspaceId}/boards`, {
    method: 'POST',
    token,
    json: { title: id, id },
  })
  expect(created.status).toBe(201)
  return id
}
