/**
 * Members, roles and invite links of a workspace (docs/product.md, "HTTP API"), and the people
 * of a board (members and guests).
 */
import { Hono } from 'hono'
import {
  acceptInviteRequest,
  inviteRequest,
  patchMemberRequest,
  type AcceptInviteResponse,
  type BoardPerson,
  type InviteResponse,
} from '../../../shared/api.ts'
import type { Auth } from '../../auth/auth.ts'
import type { AuthService } from '../../auth/service.ts'
import type { Notifier } from '../../notifications/notifier.ts'
import type { AuditRepo } from '../../storage/audit-repo.ts'
import type { DirectoryRepo } from '../../storage/directory-repo.ts'
import type { ShareLinksRepo } from '../../storage/share-links-repo.ts'
import { refuseGuests, requireBoard, requireRole, type AppEnv } from '../context.ts'
import { notFound } from '../../errors.ts'
import { idParam, jsonBody } from '../errors.ts'
import { sessionResponse } from './auth.ts'

export function memberRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  authService: AuthService
  notifier: Notifier
  audit: AuditRepo
  shareLinks: ShareLinksRepo
  publicUrl: string | undefined
}) {
  const { auth, directory, authService: service, notifier, audit, publicUrl } = deps
  const app = new Hono<AppEnv>()

  app.get('/workspaces/:ws/members', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'viewer')
    return c.json({ members: await directory.members(workspaceId) })
  })

  // Names for everything on a board — comment authors, assignees — whoever may see the board
  // asks: its workspace's members and the guests who joined it by link.
  app.get('/boards/:id/people', async (c) => {
    const { board } = await requireBoard(auth, directory, c.var.user, idParam(c, 'id'), 'viewer')
    const members = await directory.members(board.workspaceId)
    const guests = await deps.shareLinks.guestsOfBoard(board.id)
    const people: BoardPerson[] = [
      ...members.map(({ id, name, color, role }) => ({ id, name, color, role, guest: false })),
      ...guests.map((g) => ({ ...g, guest: true })),
    ]
    return c.json({ people })
  })

  app.patch('/workspaces/:ws/members/:userId', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'owner')
    const userId = idParam(c, 'userId')
    const body = await jsonBody(c, patchMemberRequest)
    await service.setRole(workspaceId, userId, body.role, c.var.user)
    const member = (await directory.members(workspaceId)).find((m) => m.id === userId)
    return c.json({ member })
  })

  app.delete('/workspaces/:ws/members/:userId', async (c) => {
    const workspaceId = idParam(c, 'ws')
    const userId = idParam(c, 'userId')
    // Owners remove anyone; anyone may leave.
    await requireRole(
      auth,
      directory,
      c.var.user,
      workspaceId,
      userId === c.var.user.id ? 'viewer' : 'owner',
    )
    await service.removeMember(workspaceId, userId, c.var.user)
    return c.json({ ok: true })
  })

  app.post('/workspaces/:ws/invites', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'owner')
    const body = await jsonBody(c, inviteRequest)
    const invitee = body.userId ? await directory.user(body.userId) : undefined
    if (body.userId && !invitee) throw notFound('no such user to invite')
    const { code, invite } = await service.createInvite(workspaceId, c.var.user, body)
    const url = `${publicUrl ?? new URL(c.req.url).origin}/invite/${code}`
    await audit.record({
      action: 'invite.created',
      actor: c.var.user,
      workspaceId,
      target: invite.id,
      data: {
        role: invite.role,
        maxUses: invite.maxUses,
        expiresAt: invite.expiresAt,
        invitee: invitee?.id ?? null,
      },
    })
    // An invite addressed to an existing user reaches their inbox.
    if (invitee) {
      const workspace = await directory.workspace(workspaceId)
      await notifier.notifyUser({
        userId: invitee.id,
        type: 'invite',
        actor: c.var.user,
        data: { workspaceId, workspaceName: workspace?.name ?? '', role: invite.role, code, url },
      })
    }
    const answer: InviteResponse = {
      code,
      url,
      expiresAt: invite.expiresAt,
      role: invite.role,
      maxUses: invite.maxUses,
    }
    return c.json(answer, 201)
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
    // A guest reaches one board only; joining a workspace needs an account of one's own.
    if (existing) await refuseGuests(auth, existing, 'accept invites')
    const result = existing
      ? await service.acceptInvite(code, { existing })
      : await service.acceptInvite(code, await jsonBody(c, acceptInviteRequest))
    const answer: AcceptInviteResponse = {
      ...sessionResponse(c, result.session),
      workspace: { ...result.workspace },
    }
    return c.json(answer)
  })
  return app
}
