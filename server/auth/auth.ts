/**
 * Who is calling, and what they may do. Every door (HTTP routes, both sockets) asks the same
 * Auth, so the rules live in one place. With LOUPE_AUTH=off everyone is the local owner.
 */
import type { Context } from 'hono'
import { colorFor } from '../../shared/colors.ts'
import type { DirectoryRepo, Role, User } from '../storage/directory-repo.ts'
import type { Guest } from '../storage/share-links-repo.ts'

export interface Auth {
  readonly enabled: boolean
  /** The caller of an HTTP request, or null when it carries no valid credentials. */
  identify(c: Context): Promise<User | null>
  /** The user a socket's token names, or null when missing or invalid. */
  identifyToken(token: string | undefined): Promise<User | null>
  /** The user's role in a workspace, or undefined when not a member. */
  roleIn(user: User, workspaceId: string): Promise<Role | undefined>
  /**
   * The user's role on one board: their role in its workspace, or, for a guest of that board
   * whose share link lives, the link's role. Undefined when they may not see it.
   */
  roleOnBoard(user: User, board: { id: string; workspaceId: string }): Promise<Role | undefined>
  /** The share link a guest joined through; null for everyone else (members, the local owner). */
  guestOf(user: User): Promise<Guest | null>
}

export const LOCAL_OWNER: User = { id: 'local', name: 'Owner', color: colorFor('local') }

/** Home mode: no tokens; every caller is the local owner of every workspace. */
export class LocalAuth implements Auth {
  readonly enabled = false
  /** The local owner's user row; every caller waits for it, so nobody acts before it exists. */
  private readonly owner: Promise<User>

  constructor(directory: DirectoryRepo) {
    this.owner = directory.ensureUser(LOCAL_OWNER)
    // Whoever identifies first hears of a failure; until then it is not unhandled.
    this.owner.catch(() => {})
  }

  async identify(): Promise<User> {
    await this.owner
    return LOCAL_OWNER
  }

  async identifyToken(): Promise<User> {
    await this.owner
    return LOCAL_OWNER
  }

  async roleIn(): Promise<Role> {
    return 'owner'
  }

  async roleOnBoard(): Promise<Role> {
    return 'owner'
  }

  async guestOf(): Promise<null> {
    return null
  }
}
