/** Members, roles and invite links of a workspace (DESIGN.md, "HTTP API"). */
import { Hono } from 'hono'
import { z } from 'zod'
import type { Auth } from '../../auth/auth.ts'
import type { AuthService } from '../../auth/service.ts'
import type { Directory } from '../../db/directory.ts'
import { requireRole, type AppEnv } from '../context.ts'
import { idParam, jsonBody, notFound } from '../errors.ts'
import { nameSchema, passwordSchema, sessionResponse } from './auth.ts'

const role = z.enum(['owner', 'editor', 'viewer'])
const inviteBody = z.object({
  role,
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional(),
  maxUses: z.number().int().min(1).max(1000).optional(),
})
const patchMember = z.object({ role })
const acceptBody = z.object({ name: nameSchema, password: passwordSchema })

export function memberRoutes(
  auth: Auth,
  directory: Directory,
  service: AuthService,
  publicUrl: string | undefined,
) {
  const app = new Hono<AppEnv>()

  app.get('/workspaces/:ws/members', (c) => {
    const workspaceId = idParam(c, 'ws')
    requireRole(auth, directory, c.var.user, workspaceId, 'viewer')
    return c.json({ members: directory.members(workspaceId) })
  })

  app.patch('/workspaces/:ws/members/:userId', async (c) => {
    const workspaceId = idParam(c, 'ws')
    requireRole(auth, directory, c.var.user, workspaceId, 'owner')
    const userId = idParam(c, 'userId')
    const body = await jsonBody(c, patchMember)
    service.setRole(workspaceId, userId, body.role)
    const member = directory.members(workspaceId).find((m) => m.id === userId)
    return c.json({ member })
  })

  app.delete('/workspaces/:ws/members/:userId', (c) => {
    const workspaceId = idParam(c, 'ws')
    const userId = idParam(c, 'userId')
    // Owners remove anyone; anyone may leave.
    requireRole(
      auth,
      directory,
      c.var.user,
      workspaceId,
      userId === c.var.user.id ? 'viewer' : 'owner',
    )
    service.removeMember(workspaceId, userId)
    return c.json({ ok: true })
  })

  app.post('/workspaces/:ws/invites', async (c) => {
    const workspaceId = idParam(c, 'ws')
    requireRole(auth, directory, c.var.user, workspaceId, 'owner')
    const body = await jsonBody(c, inviteBody)
    const { code, invite } = service.createInvite(workspaceId, c.var.user, body)
    const url = `${publicUrl ?? new URL(c.req.url).origin}/invite/${code}`
    return c.json(
      { code, url, expiresAt: invite.expiresAt, role: invite.role, maxUses: invite.maxUses },
      201,
    )
  })

  return app
}

/** Accepting an invite needs no account yet, so it sits outside the signed-in routes. */
export function inviteAcceptRoutes(auth: Auth, service: AuthService) {
  const app = new Hono()
  app.post('/invites/:code/accept', async (c) => {
    const code = c.req.param('code')
    if (!/^[A-Za-z0-9_-]{10,64}$/.test(code)) throw notFound('no such invite')
    const existing = await auth.identify(c)
    const result = existing
      ? await service.acceptInvite(code, { existing })
      : await service.acceptInvite(code, await jsonBody(c, acceptBody))
    return c.json({ ...sessionResponse(c, result.session), workspace: { ...result.workspace } })
  })
  return app
}
