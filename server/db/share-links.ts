/**
 * Share links and the guests who joined through them (docs/product.md, "Share links"). A link
 * names one board and a role (reviewer or viewer); its token is stored only as a SHA-256 hash,
 * its password as a scrypt hash. A guest is a user bound to one link: they reach that board
 * while the link lives, and nothing else.
 */
import type { LinkRole } from '../../shared/api.ts'
import { sha256 } from './accounts.ts'
import type { User } from './directory.ts'
import type { Db } from './open.ts'
import { toShareLink, type ShareLinkRow } from '../storage/rows.ts'

export interface ShareLink {
  id: string
  boardId: string
  role: LinkRole
  createdBy: string
  createdAt: number
  expiresAt: number
  revokedAt: number | null
}

/** A link as its owner sees it in a listing. */
export interface ShareLinkListing extends ShareLink {
  hasPassword: boolean
  guests: number
}

/** Who a guest is a guest of, and whether that still holds. */
export interface Guest {
  userId: string
  linkId: string
  boardId: string
  role: LinkRole
  expiresAt: number
  revokedAt: number | null
}

/** A link lets guests in while it is neither revoked nor expired. */
export const linkLive = (link: { revokedAt: number | null; expiresAt: number }, now: number) =>
  link.revokedAt === null && link.expiresAt > now

export class ShareLinks {
  private readonly stmts

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare<
        [
          id: string,
          tokenHash: string,
          boardId: string,
          role: LinkRole,
          passwordHash: string | null,
          createdBy: string,
          createdAt: number,
          expiresAt: number,
        ]
      >(
        `INSERT INTO share_links (id, token_hash, board_id, role, password_hash, created_by,
         created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byToken: db.prepare<[tokenHash: string], ShareLinkRow>(
        'SELECT * FROM share_links WHERE token_hash = ?',
      ),
      byId: db.prepare<[id: string], ShareLinkRow>('SELECT * FROM share_links WHERE id = ?'),
      ofBoard: db.prepare<[boardId: string], ShareLinkRow & { guests: number }>(
        `SELECT l.*, (SELECT COUNT(*) FROM link_guests g WHERE g.link_id = l.id) AS guests
         FROM share_links l WHERE l.board_id = ? ORDER BY l.created_at, l.id`,
      ),
      revoke: db.prepare<[at: number, id: string]>(
        'UPDATE share_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      ),
      addGuest: db.prepare<[userId: string, linkId: string, joinedAt: number]>(
        'INSERT INTO link_guests (user_id, link_id, joined_at) VALUES (?, ?, ?)',
      ),
      guest: db.prepare<[userId: string], ShareLinkRow & { user_id: string }>(
        `SELECT g.user_id, l.* FROM link_guests g JOIN share_links l ON l.id = g.link_id
         WHERE g.user_id = ?`,
      ),
      guestsOfLink: db.prepare<[linkId: string], { user_id: string }>(
        'SELECT user_id FROM link_guests WHERE link_id = ?',
      ),
      guestsOfBoard: db.prepare<[boardId: string], User & { role: LinkRole }>(
        `SELECT u.id, u.name, u.color, l.role FROM link_guests g
         JOIN share_links l ON l.id = g.link_id JOIN users u ON u.id = g.user_id
         WHERE l.board_id = ? ORDER BY g.joined_at, u.name`,
      ),
      dueToEnd: db.prepare<[now: number], { id: string }>(
        `SELECT id FROM share_links
         WHERE ended_at IS NULL AND (revoked_at IS NOT NULL OR expires_at <= ?)`,
      ),
      markEnded: db.prepare<[at: number, id: string]>(
        'UPDATE share_links SET ended_at = ? WHERE id = ? AND ended_at IS NULL',
      ),
    }
  }

  create(link: ShareLink, token: string, passwordHash: string | null): void {
    this.stmts.insert.run(
      link.id,
      sha256(token),
      link.boardId,
      link.role,
      passwordHash,
      link.createdBy,
      link.createdAt,
      link.expiresAt,
    )
  }

  /** The link a token opens, with its password hash (null: none). */
  byToken(token: string): (ShareLink & { passwordHash: string | null }) | undefined {
    const row = this.stmts.byToken.get(sha256(token))
    return row && { ...toShareLink(row), passwordHash: row.password_hash }
  }

  byId(id: string): ShareLink | undefined {
    const row = this.stmts.byId.get(id)
    return row && toShareLink(row)
  }

  ofBoard(boardId: string): ShareLinkListing[] {
    return this.stmts.ofBoard.all(boardId).map((row) => ({
      ...toShareLink(row),
      hasPassword: row.password_hash !== null,
      guests: row.guests,
    }))
  }

  /** Revokes a link; false if it already was. */
  revoke(id: string, at: number): boolean {
    return this.stmts.revoke.run(at, id).changes > 0
  }

  addGuest(userId: string, linkId: string, at: number): void {
    this.stmts.addGuest.run(userId, linkId, at)
  }

  /** The link a user is a guest of (whether or not it still lives), if they are a guest. */
  guestOf(userId: string): Guest | undefined {
    const row = this.stmts.guest.get(userId)
    return (
      row && {
        userId: row.user_id,
        linkId: row.id,
        boardId: row.board_id,
        role: row.role,
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
      }
    )
  }

  guestsOfLink(linkId: string): string[] {
    return this.stmts.guestsOfLink.all(linkId).map((row) => row.user_id)
  }

  /** Everyone who ever joined the board through a link (their names still label comments). */
  guestsOfBoard(boardId: string): Array<User & { role: LinkRole }> {
    return this.stmts.guestsOfBoard.all(boardId)
  }

  /** Links revoked or expired whose guests have not been cut off yet. */
  dueToEnd(now: number): string[] {
    return this.stmts.dueToEnd.all(now).map((row) => row.id)
  }

  markEnded(id: string, at: number): void {
    this.stmts.markEnded.run(at, id)
  }
}
