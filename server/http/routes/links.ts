/**
 * Share links (docs/product.md, "Share links"): owners make, list and revoke a board's links;
 * anyone holding a link joins its board as a guest. The token is shown once, at creation.
 */
import { Hono } from 'hono'
import {
  createLinkRequest,
  joinLinkRequest,
  type CreateLinkResponse,
  type JoinLinkResponse,
} from '../../../shared/api.ts'
import type { Auth } from '../../auth/auth.ts'
import type { LinkService } from '../../auth/link-service.ts'
import type { DirectoryRepo } from '../../storage/directory-repo.ts'
import { requireBoard, type AppEnv } from '../context.ts'
import { idParam, jsonBody } from '../errors.ts'
import { clientAddress, sessionResponse } from './auth.ts'

export function linkRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  linkService: LinkService
  publicUrl: string | undefined
}) {
  const { auth, directory, linkService: links } = deps
  const app = new Hono<AppEnv>()

  app.post('/boards/:id/links', async (c) => {
    const { board } = await requireBoard(auth, directory, c.var.user, idParam(c, 'id'), 'owner')
    const body = await jsonBody(c, createLinkRequest)
    const { link, token } = await links.create(board, c.var.user, body)
    const url = `${deps.publicUrl ?? new URL(c.req.url).origin}/link/${token}`
    const answer: CreateLinkResponse = { link: { ...link, token, url } }
    return c.json(answer, 201)
  })

  app.get('/boards/:id/links', async (c) => {
    const { board } = await requireBoard(auth, directory, c.var.user, idParam(c, 'id'), 'owner')
    return c.json({ links: await links.list(board.id) })
  })

  app.delete('/boards/:id/links/:linkId', async (c) => {
    const { board } = await requireBoard(auth, directory, c.var.user, idParam(c, 'id'), 'owner')
    return c.json({ link: await links.revoke(board, idParam(c, 'linkId'), c.var.user) })
  })

  return app
}

/** Joining needs no account yet, so it sits outside the signed-in routes (like invites). */
export function linkJoinRoutes(links: LinkService) {
  const app = new Hono()
  app.post('/links/:token/join', async (c) => {
    const body = await jsonBody(c, joinLinkRequest)
    const { session, link } = await links.join(c.req.param('token'), body, clientAddress(c))
    const answer: JoinLinkResponse = {
      ...sessionResponse(c, session),
      boardId: link.boardId,
      role: link.role,
    }
    return c.json(answer)
  })
  return app
}
