/** Lock routes (docs/product.md, "HTTP API"); the rules live in the lock service (docs/locks.md). */
import { Hono } from 'hono'
import { z } from 'zod'
import { isValidId } from '../../../shared/ids.ts'
import { badRequest } from '../../errors.ts'
import type { LockApi } from '../../locks/lock-api.ts'
import type { AppEnv } from '../context.ts'
import { jsonBody } from '../errors.ts'

const key = z.string().max(200)
export const acquireBody = z.object({
  key,
  ttlMs: z.number().int().positive().optional(),
  wait: z.boolean().optional(),
  /** Ties the lock to a live session of the caller (released when the session dies). */
  sessionId: z.string().max(64).optional(),
  /** Makes a retry after a lost reply safe: the same id gets the first answer. */
  requestId: z.string().max(64).optional(),
})
export const renewBody = z.object({
  key,
  ttlMs: z.number().int().positive().optional(),
  sessionId: z.string().max(64).optional(),
})
export const keyBody = z.object({ key, sessionId: z.string().max(64).optional() })

export function lockRoutes(
  api: LockApi,
  ownsSession: (userId: string, sessionId: string) => boolean,
) {
  const app = new Hono<AppEnv>()

  const session = (userId: string, sessionId: string | undefined) => {
    if (sessionId === undefined) return null
    if (!ownsSession(userId, sessionId))
      throw badRequest('sessionId is not a live session of yours')
    return sessionId
  }

  app.post('/locks/acquire', async (c) => {
    const body = await jsonBody(c, acquireBody)
    const result = api.acquire(c.var.user, body, session(c.var.user.id, body.sessionId))
    return 'lock' in result ? c.json(result) : c.json(result, 202)
  })

  app.post('/locks/release', async (c) => {
    const body = await jsonBody(c, keyBody)
    return c.json({
      lock: api.release(c.var.user, body.key, session(c.var.user.id, body.sessionId)),
    })
  })

  app.post('/locks/renew', async (c) => {
    const body = await jsonBody(c, renewBody)
    return c.json({
      lock: api.renew(c.var.user, body.key, session(c.var.user.id, body.sessionId), body.ttlMs),
    })
  })

  app.post('/locks/cancel', async (c) => {
    const body = await jsonBody(c, keyBody)
    api.cancel(c.var.user, body.key, session(c.var.user.id, body.sessionId))
    return c.json({ ok: true })
  })

  app.post('/locks/force-release', async (c) => {
    const body = await jsonBody(c, keyBody)
    return c.json({ lock: api.forceRelease(c.var.user, body.key) })
  })

  app.get('/locks', (c) => {
    const boardId = c.req.query('board')
    if (!isValidId(boardId)) throw badRequest('board must be a board id')
    return c.json({ locks: api.list(c.var.user, boardId) })
  })

  return app
}
