import type { Context } from 'hono'
import type { Role } from '../../shared/roles.ts'
import type { Accounts } from '../db/accounts.ts'
import type { Directory, User } from '../db/directory.ts'
import { linkLive, type Guest, type ShareLinks } from '../db/share-links.ts'
import type { Auth } from './auth.ts'
import type { AccessTokens } from './tokens.ts'

/** Auth on: a Bearer access token on HTTP, `?token=` on sockets (browsers cannot set headers). */
export class TokenAuth implements Auth {
  readonly enabled = true

  constructor(
    private readonly tokens: AccessTokens,
    private readonly accounts: Accounts,
    private readonly directory: Directory,
    private readonly links: ShareLinks,
  ) {}

  async identify(c: Context): Promise<User | null> {
    const header = c.req.header('authorization')
    const match = header?.match(/^Bearer\s+(\S+)$/i)
    return this.identifyToken(match?.[1])
  }

  async identifyToken(token: string | undefined): Promise<User | null> {
    if (!token) return null
    const claims = await this.tokens.verify(token)
    const account = claims ? this.accounts.activeAccount(claims.userId) : undefined
    return account && account.tokenEpoch === claims?.epoch ? account.user : null
  }

  roleIn(user: User, workspaceId: string): Role | undefined {
    return this.directory.roleIn(workspaceId, user.id)
  }

  roleOnBoard(user: User, board: { id: string; workspaceId: string }): Role | undefined {
    const role = this.directory.roleIn(board.workspaceId, user.id)
    if (role) return role
    const guest = this.links.guestOf(user.id)
    return guest && guest.boardId === board.id && linkLive(guest, Date.now())
      ? guest.role
      : undefined
  }

  guestOf(user: User): Guest | null {
    return this.links.guestOf(user.id) ?? null
  }
}
