/**
 * History over HTTP (docs/product.md, "History"): versions of a board, naming the current
 * state, a version's state, restoring from one, and what changed since the caller's last visit.
 */
import { Hono } from 'hono'
import {
  nameVersionRequest,
  restoreVersionRequest,
  type RestoreResponse,
  type VersionResponse,
  type VersionsResponse,
} from '../../../shared/api.ts'
import type { Auth } from '../../auth/auth.ts'
import type { AuditRepo } from '../../storage/audit-repo.ts'
import type { DirectoryRepo } from '../../storage/directory-repo.ts'
import type { BoardHistory } from '../../history/board-history.ts'
import type { SinceLastVisit } from '../../history/since-last-visit.ts'
import { requireBoard, type AppEnv } from '../context.ts'
import { idParam, jsonBody } from '../errors.ts'

export function historyRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  audit: AuditRepo
  history: BoardHistory
  sinceLastVisit: SinceLastVisit
}) {
  const { auth, directory, history } = deps
  const app = new Hono<AppEnv>()
  const boardFor = (user: AppEnv['Variables']['user'], id: string, minimum: 'viewer' | 'editor') =>
    requireBoard(auth, directory, user, id, minimum)

  app.get('/boards/:id/versions', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'viewer')
    const answer: VersionsResponse = { versions: await history.list(board.id) }
    return c.json(answer)
  })

  app.post('/boards/:id/versions', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'editor')
    const { name } = await jsonBody(c, nameVersionRequest)
    const answer: VersionResponse = { version: await history.name(c.var.user, board, name) }
    return c.json(answer, 201)
  })

  app.get('/boards/:id/versions/:versionId/export', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'viewer')
    const versionId = idParam(c, 'versionId')
    const state = await history.state(board.id, versionId)
    await deps.audit.record({
      action: 'board.exported',
      actor: c.var.user,
      workspaceId: board.workspaceId,
      target: board.id,
      data: { versionId },
    })
    return c.body(state as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${board.id}-${versionId}.yjs"`,
    })
  })

  app.post('/boards/:id/versions/:versionId/restore', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'editor')
    const versionId = idParam(c, 'versionId')
    const body = await jsonBody(c, restoreVersionRequest)
    const target =
      body.entityType && body.entityId
        ? { entityType: body.entityType, entityId: body.entityId }
        : null
    const answer: RestoreResponse = {
      restored: await history.restore(c.var.user, board, versionId, target),
    }
    return c.json(answer)
  })

  app.get('/boards/:id/since-last-visit', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'viewer')
    return c.json(await deps.sinceLastVisit.changes(c.var.user.id, board.id))
  })

  return app
}
