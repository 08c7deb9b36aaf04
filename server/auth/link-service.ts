/**
 * Share links (docs/product.md, "Share links"): an owner makes a link to one board with a role
 * (reviewer or viewer), an expiry and maybe a password; an outsider who opens it joins as a
 * guest — a user bound to that link, who reaches that board and nothing else, and only while
 * the link lives. Revoking a link, or its expiry, cuts its guests off at once: their tokens stop
 * working (accounts.ts) and their open sockets are closed by whoever listens here (4403).
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { LinkRole, ShareLinkSummary } from '../../shared/api.ts'
import { colorFor } from '../../shared/colors.ts'
import { newId } from '../../shared/ids.ts'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { conflict, LoupeError, notFound, rateLimited } from '../errors.ts'
import { NameTakenError } from '../storage/accounts-repo.ts'
import type { Board, User } from '../storage/directory-repo.ts'
import { linkLive, type ShareLink } from '../storage/share-links-repo.ts'
import type { Stores } from '../storage/stores.ts'
import { FailureWindow } from './limiter.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import type { AuthService, Session } from './service.ts'

const HOUR = 3600 * 1000
const DEFAULT_HOURS = 7 * 24
const FIFTEEN_MINUTES = 15 * 60 * 1000
/** Tokens are 24 random bytes in base64url (32 characters); anything else is not a link. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/

/** Told which guests just lost their access (a link revoked or expired). */
export type GuestsEnded = (userIds: readonly string[], reason: string) => void

export class LinkService {
  private readonly failures: FailureWindow
  private readonly listeners: GuestsEnded[] = []
  private readonly now: () => number

  constructor(
    private readonly deps: {
      stores: Stores
      authService: AuthService
      /** Failed joins (wrong password, unknown link) per address or link before 429. */
      attempts: number
      log: Logger
      now?: () => number
    },
  ) {
    this.now = deps.now ?? Date.now
    this.failures = new FailureWindow(deps.attempts, FIFTEEN_MINUTES, this.now)
  }

  onGuestsEnded(listener: GuestsEnded): void {
    this.listeners.push(listener)
  }

  async create(
    board: Board,
    by: User,
    options: { role: LinkRole; expiresInHours?: number | undefined; password?: string | undefined },
  ): Promise<{ link: ShareLinkSummary; token: string }> {
    const token = randomBytes(24).toString('base64url')
    const passwordHash = options.password ? await hashPassword(options.password) : null
    const now = this.now()
    const link: ShareLink = {
      id: newId(),
      boardId: board.id,
      role: options.role,
      createdBy: by.id,
      createdAt: now,
      expiresAt: now + (options.expiresInHours ?? DEFAULT_HOURS) * HOUR,
      revokedAt: null,
    }
    const { shareLinks, audit } = this.deps.stores
    await shareLinks.create(link, token, passwordHash)
    await audit.record({
      action: 'link.created',
      actor: by,
      workspaceId: board.workspaceId,
      target: link.id,
      data: {
        boardId: board.id,
        role: link.role,
        expiresAt: link.expiresAt,
        password: passwordHash !== null,
      },
    })
    return { link: this.summary({ ...link, hasPassword: passwordHash !== null, guests: 0 }), token }
  }

  async list(boardId: string): Promise<ShareLinkSummary[]> {
    const links = await this.deps.stores.shareLinks.ofBoard(boardId)
    return links.map((link) => this.summary(link))
  }

  /** Revokes a link of this board; its guests are cut off now. Revoking twice is harmless. */
  async revoke(board: Board, linkId: string, by: User): Promise<ShareLinkSummary> {
    const { shareLinks, audit } = this.deps.stores
    const link = await shareLinks.byId(linkId)
    if (!link || link.boardId !== board.id) throw notFound('no such link on this board')
    if (await shareLinks.revoke(link.id, this.now())) {
      await audit.record({
        action: 'link.revoked',
        actor: by,
        workspaceId: board.workspaceId,
        target: link.id,
        data: { boardId: board.id },
      })
      await this.end(link.id, 'share link revoked')
    }
    const listed = (await shareLinks.ofBoard(board.id)).find((l) => l.id === link.id)
    return this.summary(listed as NonNullable<typeof listed>)
  }

  /**
   * Joins a link as a new guest account. Failures that could be guessing (an unknown link, a
   * wrong password) count per address and per link, like failed logins.
   */
  async join(
    token: string,
    who: { name: string; password?: string | undefined },
    address: string,
  ): Promise<{ session: Session; link: ShareLink }> {
    const addressKey = `addr:${address}`
    this.refuseIfTooMany([addressKey])
    const { stores } = this.deps
    const link = TOKEN.test(token) ? await stores.shareLinks.byToken(token) : undefined
    const board = link && (await stores.directory.board(link.boardId))
    if (!link || link.revokedAt !== null || !board || board.archivedAt !== null) {
      this.failures.fail(addressKey)
      throw notFound('no such link')
    }
    const linkKey = `link:${link.id}`
    this.refuseIfTooMany([linkKey])
    if (!linkLive(link, this.now()))
      throw new LoupeError(ErrorCode.linkExpired, 'this link has expired')
    if (link.passwordHash) {
      const needed = { passwordRequired: true }
      if (!who.password)
        throw new LoupeError(ErrorCode.unauthorized, 'this link needs its password', needed)
      if (!(await verifyPassword(who.password, link.passwordHash))) {
        this.failures.fail(addressKey)
        this.failures.fail(linkKey)
        throw new LoupeError(ErrorCode.unauthorized, 'wrong password for this link', needed)
      }
    }
    const taken = () => conflict(`the name ${who.name} is taken; choose another`)
    const guest = await stores.transaction(async (tx) => {
      if (await tx.accounts.userByName(who.name)) throw taken()
      const id = newId()
      const user = await tx.accounts
        .createGuestUser({ id, name: who.name, color: colorFor(id) })
        .catch((error: unknown) => {
          // Taken between the look and the write (another node): the same answer.
          throw error instanceof NameTakenError ? taken() : error
        })
      await tx.shareLinks.addGuest(user.id, link.id, this.now())
      return user
    })
    await stores.audit.record({
      action: 'link.joined',
      actor: guest,
      workspaceId: board.workspaceId,
      target: link.id,
      data: { boardId: board.id, role: link.role, name: guest.name },
    })
    this.deps.log.info({ user: guest.id, link: link.id, board: board.id }, 'guest joined')
    return { session: await this.deps.authService.startSession(guest), link }
  }

  /**
   * Cuts off the guests of links that were revoked or have expired since the last look (run
   * every few seconds): an expired link's guests lose their sockets within that interval.
   */
  async endDue(): Promise<void> {
    const { shareLinks } = this.deps.stores
    for (const linkId of await shareLinks.dueToEnd(this.now())) {
      const link = await shareLinks.byId(linkId)
      await this.end(linkId, link?.revokedAt === null ? 'share link expired' : 'share link revoked')
    }
  }

  private async end(linkId: string, reason: string): Promise<void> {
    const { shareLinks, accounts } = this.deps.stores
    const guests = await shareLinks.guestsOfLink(linkId)
    // Refresh tokens too: nothing a guest holds outlives the link, even if it came back.
    for (const userId of guests) await accounts.revokeAllOf(userId)
    await shareLinks.markEnded(linkId, this.now())
    if (guests.length > 0) for (const listener of this.listeners) listener(guests, reason)
  }

  private refuseIfTooMany(keys: string[]): void {
    const waitMs = Math.max(...keys.map((key) => this.failures.blockedFor(key)))
    if (waitMs > 0)
      throw rateLimited('too many failed attempts; try again later', Math.ceil(waitMs / 1000))
  }

  private summary(link: ShareLink & { hasPassword: boolean; guests: number }): ShareLinkSummary {
    const state =
      link.revokedAt !== null ? 'revoked' : link.expiresAt <= this.now() ? 'expired' : 'active'
    return { ...link, state }
  }
}
