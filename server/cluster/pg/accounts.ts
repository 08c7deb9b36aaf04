/**
 * Credentials in PostgreSQL (storage/accounts-repo.ts). Names are unique whatever their case
 * (the `users_by_name` index on lower(name)): a second node creating the same name at once
 * gets NameTakenError, as a check-then-insert could not promise. Spending a refresh token and
 * using an invite are single conditional UPDATEs, exact however many nodes race for them.
 */
import type { User } from '../../db/directory.ts'
import {
  NameTakenError,
  sha256,
  type AccountsRepo,
  type Invite,
  type RefreshRecord,
} from '../../storage/accounts-repo.ts'
import type { PgPool, Tx } from './pool.ts'
import { toInvite, INVITE_COLUMNS, type InviteRow } from '../../storage/rows.ts'

export class PgAccounts implements AccountsRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async hasOwner(): Promise<boolean> {
    const { rows } = await this.db.query(
      'SELECT 1 FROM users WHERE password_hash IS NOT NULL LIMIT 1',
    )
    return rows.length > 0
  }

  async userByName(name: string) {
    const { rows } = await this.db.query<
      User & { password_hash: string | null; disabled_at: number | null }
    >(
      'SELECT id, name, color, password_hash, disabled_at FROM users WHERE lower(name) = lower($1)',
      [name],
    )
    const row = rows[0]
    if (!row) return undefined
    const { password_hash, disabled_at, ...user } = row
    return { user, passwordHash: password_hash, disabled: disabled_at !== null }
  }

  async activeUser(id: string): Promise<User | undefined> {
    return (await this.activeAccount(id))?.user
  }

  /** A guest is active only while the share link they joined through lives. */
  async activeAccount(id: string, now = Date.now()) {
    const { rows } = await this.db.query<
      User & {
        disabled_at: number | null
        token_epoch: number
        link_expires_at: number | null
        link_revoked_at: number | null
      }
    >(
      `SELECT u.id, u.name, u.color, u.disabled_at, u.token_epoch,
         l.expires_at AS link_expires_at, l.revoked_at AS link_revoked_at
       FROM users u LEFT JOIN link_guests g ON g.user_id = u.id
       LEFT JOIN share_links l ON l.id = g.link_id WHERE u.id = $1`,
      [id],
    )
    const row = rows[0]
    if (!row || row.disabled_at !== null) return undefined
    const { link_expires_at: expires, link_revoked_at: revoked } = row
    if (expires !== null && (revoked !== null || expires <= now)) return undefined
    return { user: { id: row.id, name: row.name, color: row.color }, tokenEpoch: row.token_epoch }
  }

  async endTokens(userId: string): Promise<void> {
    await this.db.query('UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1', [userId])
  }

  async tokenEpochs(): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ id: string; token_epoch: number }>(
      'SELECT id, token_epoch FROM users WHERE token_epoch > 0',
    )
    return new Map(rows.map((row) => [row.id, row.token_epoch]))
  }

  createGuestUser(user: User): Promise<User> {
    return this.insertUser(user, null)
  }

  createUser(user: User, passwordHash: string): Promise<User> {
    return this.insertUser(user, passwordHash)
  }

  private async insertUser(user: User, passwordHash: string | null): Promise<User> {
    try {
      await this.db.query(
        'INSERT INTO users (id, name, color, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
        [user.id, user.name, user.color, passwordHash, Date.now()],
      )
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string }
      if (code === '23505' && constraint === 'users_by_name') throw new NameTakenError(user.name)
      throw error
    }
    return user
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, userId])
  }

  async storeRefresh(token: string, userId: string, family: string, expiresAt: number) {
    await this.db.query(
      `INSERT INTO refresh_tokens (token_hash, user_id, family, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [sha256(token), userId, family, Date.now(), expiresAt],
    )
  }

  async refreshRecord(token: string): Promise<RefreshRecord | undefined> {
    const { rows } = await this.db.query<{
      user_id: string
      family: string
      expires_at: number
      used_at: number | null
      revoked_at: number | null
    }>(
      'SELECT user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1',
      [sha256(token)],
    )
    const row = rows[0]
    return (
      row && {
        userId: row.user_id,
        family: row.family,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
        revokedAt: row.revoked_at,
      }
    )
  }

  async spendRefresh(token: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL',
      [Date.now(), sha256(token)],
    )
    return (rowCount ?? 0) > 0
  }

  async revokeFamily(family: string): Promise<void> {
    await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL',
      [Date.now(), family],
    )
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL',
      [Date.now(), userId],
    )
  }

  async pruneExpired(now = Date.now()): Promise<void> {
    await this.db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [now])
  }

  async createInvite(invite: Omit<Invite, 'uses' | 'revokedAt'>, code: string): Promise<void> {
    await this.db.query(
      `INSERT INTO invites (id, code_hash, workspace_id, role, created_by, created_at,
         expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        invite.id,
        sha256(code),
        invite.workspaceId,
        invite.role,
        invite.createdBy,
        invite.createdAt,
        invite.expiresAt,
        invite.maxUses,
      ],
    )
  }

  async inviteByCode(code: string): Promise<Invite | undefined> {
    const { rows } = await this.db.query<InviteRow>(
      `SELECT ${INVITE_COLUMNS} FROM invites WHERE code_hash = $1`,
      [sha256(code)],
    )
    return rows[0] && toInvite(rows[0])
  }

  async useInvite(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE invites SET uses = uses + 1 WHERE id = $1 AND uses < max_uses',
      [id],
    )
    return (rowCount ?? 0) > 0
  }

  async invitesOf(workspaceId: string): Promise<Invite[]> {
    const { rows } = await this.db.query<InviteRow>(
      `SELECT ${INVITE_COLUMNS} FROM invites WHERE workspace_id = $1 ORDER BY created_at, id COLLATE "C"`,
      [workspaceId],
    )
    return rows.map(toInvite)
  }
}
