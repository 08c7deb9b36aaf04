import type { Context } from 'hono'
import type { Role } from '../../shared/roles.ts'
import type { AccountsRepo } from '../storage/accounts-repo.ts'
import type { DirectoryRepo, User } from '../storage/directory-repo.ts'
import { linkLive, type Guest, type ShareLinksRepo } from '../storage/share-links-repo.ts'
import type { Auth } from './auth.ts'
import type { AccessTokens } from './tokens.ts'

/** Auth on: a Bearer access token on HTTP, `?token=` on sockets (browsers cannot set headers). */
export class TokenAuth implements Auth {
  readonly enabled = true

  constructor(
    private readonly tokens: AccessTokens,
    private readonly accounts: AccountsRepo,
    private readonly directory: DirectoryRepo,
    private readonly links: ShareLinksRepo,
  ) {}

  async identify(c: Context): Promise<User | null> {
    const header = c.req.header('authorization')
    const match = header?.match(/^Bearer\s+(\S+)$/i)
    return this.identifyToken(match?.[1])
  }

  async identifyToken(token: string | undefined): Promise<User | null> {
    if (!token) return null
    const claims = await this.tokens.verify(token)
    const account = claims ? await this.accounts.activeAccount(claims.userId) : undefined
    return account && account.tokenEpoch === claims?.epoch ? account.user : null
  }

  roleIn(user: User, workspaceId: string): Promise<Role | undefined> {
    return this.directory.roleIn(workspaceId, user.id)
  }

  async roleOnBoard(user: User, board: { id: string; workspaceId: string }) {
    const role = await this.directory.roleIn(board.workspaceId, user.id)
    if (role) return role
    const guest = await this.links.guestOf(user.id)
    return guest && guest.boardId === board.id && linkLive(guest, Date.now())
      ? guest.role
      : undefined
  }

  async guestOf(user: User): Promise<Guest | null> {
    return (await this.links.guestOf(user.id)) ?? null
  }
}
