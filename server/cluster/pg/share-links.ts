/**
 * Share links and their guests in PostgreSQL (storage/share-links-repo.ts). Lists order as
 * SQLite's do: ids in byte order, names regardless of case.
 */
import type { LinkRole } from '../../../shared/api.ts'
import type { User } from '../../db/directory.ts'
import { sha256 } from '../../storage/accounts-repo.ts'
import type {
  Guest,
  ShareLink,
  ShareLinkListing,
  ShareLinksRepo,
} from '../../storage/share-links-repo.ts'
import type { PgPool, Tx } from './pool.ts'
import { toShareLink, type ShareLinkRow } from '../../storage/rows.ts'

const LINK =
  'l.id, l.board_id, l.role, l.password_hash, l.created_by, l.created_at, l.expires_at, l.revoked_at'

export class PgShareLinks implements ShareLinksRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async create(link: ShareLink, token: string, passwordHash: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO share_links (id, token_hash, board_id, role, password_hash, created_by,
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        link.id,
        sha256(token),
        link.boardId,
        link.role,
        passwordHash,
        link.createdBy,
        link.createdAt,
        link.expiresAt,
      ],
    )
  }

  async byToken(token: string) {
    const { rows } = await this.db.query<ShareLinkRow>(
      `SELECT ${LINK} FROM share_links l WHERE l.token_hash = $1`,
      [sha256(token)],
    )
    const row = rows[0]
    return row && { ...toShareLink(row), passwordHash: row.password_hash }
  }

  async byId(id: string): Promise<ShareLink | undefined> {
    const { rows } = await this.db.query<ShareLinkRow>(
      `SELECT ${LINK} FROM share_links l WHERE l.id = $1`,
      [id],
    )
    return rows[0] && toShareLink(rows[0])
  }

  async ofBoard(boardId: string): Promise<ShareLinkListing[]> {
    const { rows } = await this.db.query<ShareLinkRow & { guests: number }>(
      `SELECT ${LINK}, (SELECT count(*)::int FROM link_guests g WHERE g.link_id = l.id) AS guests
       FROM share_links l WHERE l.board_id = $1 ORDER BY l.created_at, l.id COLLATE "C"`,
      [boardId],
    )
    return rows.map((row) => ({
      ...toShareLink(row),
      hasPassword: row.password_hash !== null,
      guests: row.guests,
    }))
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE share_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
      [at, id],
    )
    return (rowCount ?? 0) > 0
  }

  async addGuest(userId: string, linkId: string, at: number): Promise<void> {
    await this.db.query(
      'INSERT INTO link_guests (user_id, link_id, joined_at) VALUES ($1, $2, $3)',
      [userId, linkId, at],
    )
  }

  async guestOf(userId: string): Promise<Guest | undefined> {
    const { rows } = await this.db.query<ShareLinkRow & { user_id: string }>(
      `SELECT g.user_id, ${LINK} FROM link_guests g JOIN share_links l ON l.id = g.link_id
       WHERE g.user_id = $1`,
      [userId],
    )
    const row = rows[0]
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

  async guestsOfLink(linkId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ user_id: string }>(
      'SELECT user_id FROM link_guests WHERE link_id = $1',
      [linkId],
    )
    return rows.map((row) => row.user_id)
  }

  async guestsOfBoard(boardId: string): Promise<Array<User & { role: LinkRole }>> {
    const { rows } = await this.db.query<User & { role: LinkRole }>(
      `SELECT u.id, u.name, u.color, l.role FROM link_guests g
       JOIN share_links l ON l.id = g.link_id JOIN users u ON u.id = g.user_id
       WHERE l.board_id = $1 ORDER BY g.joined_at, lower(u.name) COLLATE "C"`,
      [boardId],
    )
    return rows
  }

  async dueToEnd(now: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM share_links
       WHERE ended_at IS NULL AND (revoked_at IS NOT NULL OR expires_at <= $1)`,
      [now],
    )
    return rows.map((row) => row.id)
  }

  async markEnded(id: string, at: number): Promise<void> {
    await this.db.query('UPDATE share_links SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL', [
      at,
      id,
    ])
  }
}
