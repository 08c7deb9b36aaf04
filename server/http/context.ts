import { createMiddleware } from 'hono/factory'
import { atLeast } from '../../shared/roles.ts'
import type { Auth } from '../auth/auth.ts'
import type { Board, DirectoryRepo, Role, User } from '../storage/directory-repo.ts'
import { forbidden, notFound, unauthorized } from '../errors.ts'

export type AppEnv = { Variables: { user: User } }

/** Refuses the request with 401 unless the caller is identified; sets `c.var.user`. */
export function requireUser(auth: Auth) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const user = await auth.identify(c)
    if (!user) throw unauthorized('sign in first (missing or invalid token)')
    c.set('user', user)
    await next()
  })
}

/** The caller's role in a workspace, at least `minimum`; 404 for a workspace they cannot see. */
export async function requireRole(
  auth: Auth,
  directory: DirectoryRepo,
  user: User,
  workspaceId: string,
  minimum: Role,
): Promise<Role> {
  const role = (await directory.workspace(workspaceId))
    ? await auth.roleIn(user, workspaceId)
    : undefined
  if (!role) throw notFound('no such workspace')
  if (!atLeast(role, minimum)) throw forbidden(`this needs the ${minimum} role`)
  return role
}

/**
 * A board the caller may see — as a member of its workspace, or as a guest of that very board —
 * with their role there, at least `minimum`; 404 for a board they cannot see (or archived).
 */
export async function requireBoard(
  auth: Auth,
  directory: DirectoryRepo,
  user: User,
  boardId: string,
  minimum: Role,
): Promise<{ board: Board; role: Role }> {
  const board = await directory.board(boardId)
  const role = board && board.archivedAt === null ? await auth.roleOnBoard(user, board) : undefined
  if (!board || !role) throw notFound('no such board')
  if (!atLeast(role, minimum)) throw forbidden(`this needs the ${minimum} role`)
  return { board, role }
}

/** Guests reach one board and nothing else: refuses what would take them further. */
export async function refuseGuests(auth: Auth, user: User, what: string): Promise<void> {
  if (await auth.guestOf(user)) throw forbidden(`guests cannot ${what}`)
}
