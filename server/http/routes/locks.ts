/** Lock routes (docs/product.md, "HTTP API"); the rules live in the lock service (docs/locks.md). */
import { Hono } from 'hono'
import {
  acquireLockRequest,
  lockKeyRequest,
  renewLockRequest,
  type LocksResponse,
} from '../../../shared/api.ts'
import { isValidId } from '../../../shared/ids.ts'
import { badRequest } from '../../errors.ts'
import type { LockApi } from '../../locks/lock-api.ts'
import type { AppEnv } from '../context.ts'
import { jsonBody } from '../errors.ts'

export function lockRoutes(
  api: LockApi,
  ownsSession: (userId: string, sessionId: string) => boolean | Promise<boolean>,
) {
  const app = new Hono<AppEnv>()

  const session = async (userId: string, sessionId: string | undefined) => {
    if (sessionId === undefined) return null
    if (!(await ownsSession(userId, sessionId)))
      throw badRequest('sessionId is not a live session of yours')
    return sessionId
  }

  app.post('/locks/acquire', async (c) => {
    const body = await jsonBody(c, acquireLockRequest)
    const result = await api.acquire(c.var.user, body, await session(c.var.user.id, body.sessionId))
    return 'lock' in result ? c.json(result) : c.json(result, 202)
  })

  app.post('/locks/release', async (c) => {
    const body = await jsonBody(c, lockKeyRequest)
    return c.json({
      lock: await api.release(c.var.user, body.key, await session(c.var.user.id, body.sessionId)),
    })
  })

  app.post('/locks/renew', async (c) => {
    const body = await jsonBody(c, renewLockRequest)
    return c.json({
      lock: await api.renew(
        c.var.user,
        body.key,
        await session(c.var.user.id, body.sessionId),
        body.ttlMs,
      ),
    })
  })

  app.post('/locks/cancel', async (c) => {
    const body = await jsonBody(c, lockKeyRequest)
    await api.cancel(c.var.user, body.key, await session(c.var.user.id, body.sessionId))
    return c.json({ ok: true })
  })

  app.post('/locks/force-release', async (c) => {
    const body = await jsonBody(c, lockKeyRequest)
    return c.json({ lock: await api.forceRelease(c.var.user, body.key) })
  })

  app.get('/locks', async (c) => {
    const boardId = c.req.query('board')
    if (!isValidId(boardId)) throw badRequest('board must be a board id')
    const answer: LocksResponse = { locks: await api.list(c.var.user, boardId) }
    return c.json(answer)
  })

  return app
}
