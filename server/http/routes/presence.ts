/**
 * Presence over HTTP, answered from the room's awareness (docs/product.md, "HTTP API"). Identities
 * are the server-stamped ones; a user with several tabs appears once, with their most
 * active status.
 */
import { Hono } from 'hono'
import type {
  EntityPointer,
  PresenceStatus,
  PresentUser,
  PublicUser,
} from '../../../shared/protocol/presence.ts'
import { isEntityType } from '../../../shared/schema/board.ts'
import type { Auth } from '../../auth/auth.ts'
import type { DirectoryRepo } from '../../storage/directory-repo.ts'
import type { RoomManager } from '../../realtime/rooms.ts'
import { requireBoard, type AppEnv } from '../context.ts'
import { badRequest } from '../../errors.ts'
import { idParam } from '../errors.ts'

const statusRank: Record<PresenceStatus, number> = { active: 2, idle: 1, away: 0 }

/** A client's `view` or `editing`, read defensively: states are whatever clients sent. */
function pointer(value: unknown): EntityPointer | null {
  if (typeof value !== 'object' || value === null) return null
  const { entityType, entityId } = value as Record<string, unknown>
  return isEntityType(entityType) && typeof entityId === 'string' ? { entityType, entityId } : null
}

function toPresent(state: Record<string, unknown>): PresentUser | null {
  const user = state.user as { id?: unknown; name?: unknown; color?: unknown } | undefined
  if (!user || typeof user.id !== 'string') return null
  const status = state.status === 'idle' || state.status === 'away' ? state.status : 'active'
  return {
    id: user.id,
    name: String(user.name ?? ''),
    color: String(user.color ?? ''),
    status,
    view: pointer(state.view),
    editing: pointer(state.editing),
  }
}

export function presentUsers(states: Iterable<Record<string, unknown>>): PresentUser[] {
  const byUser = new Map<string, PresentUser>()
  for (const state of states) {
    const present = toPresent(state)
    if (!present) continue
    const seen = byUser.get(present.id)
    if (!seen || statusRank[present.status] > statusRank[seen.status])
      byUser.set(present.id, present)
  }
  return [...byUser.values()]
}

export function presenceRoutes(auth: Auth, directory: DirectoryRepo, rooms: RoomManager) {
  const app = new Hono<AppEnv>()

  const statesOf = async (boardId: string, user: AppEnv['Variables']['user']) => {
    await requireBoard(auth, directory, user, boardId, 'viewer')
    return rooms.presence(boardId)
  }

  app.get('/presence/:boardId', async (c) =>
    c.json({ users: presentUsers(await statesOf(idParam(c, 'boardId'), c.var.user)) }),
  )

  app.get('/presence/:boardId/:entityType/:entityId', async (c) => {
    const boardId = idParam(c, 'boardId')
    const entityType = c.req.param('entityType')
    if (!isEntityType(entityType))
      throw badRequest('entityType must be task, annotation, media or thread')
    const entityId = idParam(c, 'entityId')
    const matches = (ref: EntityPointer | null) =>
      ref?.entityType === entityType && ref.entityId === entityId
    const viewers = new Map<string, PublicUser>()
    const editors = new Map<string, PublicUser>()
    for (const state of await statesOf(boardId, c.var.user)) {
      const present = toPresent(state)
      if (!present) continue
      const who = { id: present.id, name: present.name, color: present.color }
      if (matches(present.view)) viewers.set(who.id, who)
      if (matches(present.editing)) editors.set(who.id, who)
    }
    return c.json({ viewers: [...viewers.values()], editors: [...editors.values()] })
  })

  return app
}
