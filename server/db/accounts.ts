/**
 * Credentials: users' password hashes, rotating refresh tokens and invite links. Secrets are
 * stored only as SHA-256 hashes, so a copy of the database yields no usable token or code.
 */
import { createHash } from 'node:crypto'
import type { Role } from '../../shared/roles.ts'
import type { User } from './directory.ts'
import type { Db } from './open.ts'
import { toInvite, type InviteRow } from '../storage/rows.ts'

export const sha256 = (secret: string) => createHash('sha256').update(secret).digest('base64url')

/** A user name someone already has, whatever its case: names are unique sign-in handles. */
export class NameTakenError extends Error {
  constructor(readonly userName: string) {
    super(`the name ${userName} is taken`)
    this.name = 'NameTakenError'
  }
}

const isNameTaken = (error: unknown) =>
  (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
  /users\.name/.test((error as Error).message)

export interface RefreshRecord {
  userId: string
  family: string
  expiresAt: number
  usedAt: number | null
  revokedAt: number | null
}

export interface Invite {
  id: string
  workspaceId: string
  role: Role
  createdBy: string
  createdAt: number
  expiresAt: number
  maxUses: number
  uses: number
  revokedAt: number | null
}

export class Accounts {
  private readonly stmts
  readonly transaction: Db['transaction']

  constructor(db: Db) {
    this.transaction = db.transaction.bind(db)
    this.stmts = {
      hasOwner: db.prepare<[], { n: number }>(
        'SELECT COUNT(*) AS n FROM users WHERE password_hash IS NOT NULL',
      ),
      byName: db.prepare<
        [string],
        User & { password_hash: string | null; disabled_at: number | null }
      >('SELECT id, name, color, password_hash, disabled_at FROM users WHERE name = ?'),
      // A guest (joined through a share link) is active only while their link lives.
      byId: db.prepare<
        [string],
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
         LEFT JOIN share_links l ON l.id = g.link_id WHERE u.id = ?`,
      ),
      bumpEpoch: db.prepare<[string]>(
        'UPDATE users SET token_epoch = token_epoch + 1 WHERE id = ?',
      ),
      epochs: db.prepare<[], { id: string; token_epoch: number }>(
        'SELECT id, token_epoch FROM users WHERE token_epoch > 0',
      ),
      insertUser: db.prepare<[string, string, string, string | null, number]>(
        'INSERT INTO users (id, name, color, password_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      setPassword: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
      insertRefresh: db.prepare<[string, string, string, number, number]>(
        'INSERT INTO refresh_tokens (token_hash, user_id, family, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      refresh: db.prepare<
        [string],
        {
          user_id: string
          family: string
          expires_at: number
          used_at: number | null
          revoked_at: number | null
        }
      >(
        'SELECT user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = ?',
      ),
      markUsed: db.prepare<[number, string]>(
        'UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
      ),
      revokeFamily: db.prepare<[number, string]>(
        'UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL',
      ),
      revokeUser: db.prepare<[number, string]>(
        'UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
      ),
      pruneRefresh: db.prepare<[number]>('DELETE FROM refresh_tokens WHERE expires_at < ?'),
      insertInvite: db.prepare<[string, string, string, Role, string, number, number, number]>(
        `INSERT INTO invites (id, code_hash, workspace_id, role, created_by, created_at, expires_at, max_uses)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      inviteByCode: db.prepare<[string], InviteRow>('SELECT * FROM invites WHERE code_hash = ?'),
      useInvite: db.prepare<[string]>(
        'UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses',
      ),
      invitesOf: db.prepare<[string], InviteRow>(
        'SELECT * FROM invites WHERE workspace_id = ? ORDER BY created_at, id',
      ),
    }
  }

  /** True once any account with a password exists (the owner set up the server). */
  hasOwner(): boolean {
    return (this.stmts.hasOwner.get()?.n ?? 0) > 0
  }

  userByName(name: string) {
    const row = this.stmts.byName.get(name)
    if (!row) return undefined
    const { password_hash, disabled_at, ...user } = row
    return { user, passwordHash: password_hash, disabled: disabled_at !== null }
  }

  activeUser(id: string): User | undefined {
    return this.activeAccount(id)?.user
  }

  /**
   * An enabled user with their token epoch (tokens of another epoch are void). A guest whose
   * share link was revoked or has expired is not active: their tokens stop working with it.
   */
  activeAccount(id: string, now = Date.now()): { user: User; tokenEpoch: number } | undefined {
    const row = this.stmts.byId.get(id)
    if (!row || row.disabled_at !== null) return undefined
    const {
      disabled_at: _disabled,
      token_epoch: tokenEpoch,
      link_expires_at: linkExpiresAt,
      link_revoked_at: linkRevokedAt,
      ...user
    } = row
    if (linkExpiresAt !== null && (linkRevokedAt !== null || linkExpiresAt <= now)) return undefined
    return { user, tokenEpoch }
  }

  /** Ends every access token the user holds (their next request or socket needs a new one). */
  endTokens(userId: string): void {
    this.stmts.bumpEpoch.run(userId)
  }

  /** Users whose tokens were ended at least once, with their epoch now. */
  tokenEpochs(): Map<string, number> {
    return new Map(this.stmts.epochs.all().map((row) => [row.id, row.token_epoch]))
  }

  /** A user without a password (a guest): nobody can sign in as them, only hold their tokens. */
  createGuestUser(user: User): User {
    return this.insertUser(user, null)
  }

  createUser(user: User, passwordHash: string): User {
    return this.insertUser(user, passwordHash)
  }

  private insertUser(user: User, passwordHash: string | null): User {
    try {
      this.stmts.insertUser.run(user.id, user.name, user.color, passwordHash, Date.now())
    } catch (error) {
      throw isNameTaken(error) ? new NameTakenError(user.name) : error
    }
    return user
  }

  setPassword(userId: string, passwordHash: string): void {
    this.stmts.setPassword.run(passwordHash, userId)
  }

  storeRefresh(token: string, userId: string, family: string, expiresAt: number): void {
    this.stmts.insertRefresh.run(sha256(token), userId, family, Date.now(), expiresAt)
  }

  refreshRecord(token: string): RefreshRecord | undefined {
    const row = this.stmts.refresh.get(sha256(token))
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

  /** Marks a refresh token spent; false if it already was (a replay). */
  spendRefresh(token: string): boolean {
    return this.stmts.markUsed.run(Date.now(), sha256(token)).changes > 0
  }

  revokeFamily(family: string): void {
    this.stmts.revokeFamily.run(Date.now(), family)
  }

  revokeAllOf(userId: string): void {
    this.stmts.revokeUser.run(Date.now(), userId)
  }

  pruneExpired(now = Date.now()): void {
    this.stmts.pruneRefresh.run(now)
  }

  createInvite(invite: Omit<Invite, 'uses' | 'revokedAt'>, code: string): void {
    this.stmts.insertInvite.run(
      invite.id,
      sha256(code),
      invite.workspaceId,
      invite.role,
      invite.createdBy,
      invite.createdAt,
      invite.expiresAt,
      invite.maxUses,
    )
  }

  inviteByCode(code: string): Invite | undefined {
    const row = this.stmts.inviteByCode.get(sha256(code))
    return row && toInvite(row)
  }

  /** Counts one use; false when the invite has none left. */
  useInvite(id: string): boolean {
    return this.stmts.useInvite.run(id).changes > 0
  }

  invitesOf(workspaceId: string): Invite[] {
    return this.stmts.invitesOf.all(workspaceId).map(toInvite)
  }
}
