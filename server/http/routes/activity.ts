/**
 * The durable event log, notifications and the audit log over HTTP (docs/product.md, "HTTP API").
 * `GET /api/events` reads the same log the live socket replays from.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import {
  markReadRequest,
  type EventsResponse,
  type NotificationsResponse,
} from '../../../shared/api.ts'
import { parseStream } from '../../../shared/protocol/events.ts'
import type { Auth } from '../../auth/auth.ts'
import type { AuditRepo } from '../../storage/audit-repo.ts'
import type { DirectoryRepo } from '../../storage/directory-repo.ts'
import type { NotificationRepo } from '../../storage/notification-repo.ts'
import type { EventBus } from '../../events/bus.ts'
import { requireBoard, requireRole, type AppEnv } from '../context.ts'
import { badRequest } from '../../errors.ts'
import { jsonBody } from '../errors.ts'

export const eventsQuery = z.object({
  stream: z.string(),
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
})
export const notificationsQuery = z.object({ unread: z.enum(['0', '1']).optional() })
export const auditQuery = z.object({
  workspace: z.string(),
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
})

function query<S extends z.ZodType>(schema: S, values: Record<string, string>): z.infer<S> {
  const parsed = schema.safeParse(values)
  if (!parsed.success) {
    throw badRequest('invalid query', {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  return parsed.data
}

export function activityRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  bus: EventBus
  notifications: NotificationRepo
  audit: AuditRepo
}) {
  const { auth, directory, bus, notifications, audit } = deps
  const app = new Hono<AppEnv>()

  app.get('/events', async (c) => {
    const q = query(eventsQuery, c.req.query())
    const stream = parseStream(q.stream)
    if (!stream || stream.kind === 'system')
      throw badRequest('stream must be workspace:<id> or board:<id>')
    // A board's stream is for whoever may see the board (its guests too); a workspace's for members.
    if (stream.kind === 'board')
      await requireBoard(auth, directory, c.var.user, stream.id, 'viewer')
    else await requireRole(auth, directory, c.var.user, stream.id, 'viewer')
    const info = await bus.info(q.stream)
    const events = await bus.log.read(q.stream, q.after, q.limit)
    // `gap`: the log no longer reaches back to `after` (retention); reload instead of trusting it.
    const answer: EventsResponse = {
      events,
      epoch: info.epoch,
      lastSeq: info.lastSeq,
      firstSeq: info.firstSeq,
      gap: q.after < info.firstSeq - 1,
    }
    return c.json(answer)
  })

  app.get('/notifications', async (c) => {
    const q = query(notificationsQuery, c.req.query())
    const userId = c.var.user.id
    const answer: NotificationsResponse = {
      notifications: await notifications.list(userId, {
        unreadOnly: q.unread === '1',
        limit: 200,
      }),
      unreadCount: await notifications.unreadCount(userId),
    }
    return c.json(answer)
  })

  app.post('/notifications/read', async (c) => {
    const { ids } = await jsonBody(c, markReadRequest)
    const userId = c.var.user.id
    const marked = await notifications.markRead(userId, ids)
    return c.json({ marked, unreadCount: await notifications.unreadCount(userId) })
  })

  app.get('/audit', async (c) => {
    const q = query(auditQuery, c.req.query())
    await requireRole(auth, directory, c.var.user, q.workspace, 'owner')
    return c.json({ entries: await audit.list(q.workspace, q.after, q.limit) })
  })

  return app
}
