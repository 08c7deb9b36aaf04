/**
 * Accounts and sessions: owner setup, login, rotating refresh, logout, invites and password
 * reset. Routes and the admin tool call this; it owns every rule about credentials.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Logger } from 'pino'
import { colorFor } from '../../shared/colors.ts'
import { newId } from '../../shared/ids.ts'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { atLeast, type Role } from '../../shared/roles.ts'
import type { Accounts, Invite } from '../db/accounts.ts'
import type { Directory, User, Workspace } from '../db/directory.ts'
import { conflict, forbidden, LoupeError, notFound, rateLimited, unauthorized } from '../errors.ts'
import { FailureWindow } from './limiter.ts'
import { hashPassword, randomPassword, verifyPassword } from './passwords.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { AccessTokens } from './tokens.ts'

export const REFRESH_DAYS = 30
/** How long a spent refresh token may be presented again (a retry after a lost reply). */
export const REFRESH_REUSE_GRACE_MS = 30_000
const FIFTEEN_MINUTES = 15 * 60 * 1000

export interface Session {
  user: User
  accessToken: string
  expiresAt: number
  refreshToken: string
  refreshExpiresAt: number
}

/** A change of someone's role in a workspace (`to` null: removed; `from` null: joined). */
export interface MembershipChange {
  workspaceId: string
  user: User
  from: Role | null
  to: Role | null
  actor: User
}

/** Told of every membership change, so open sockets, events and the audit log follow. */
export type MembershipListener = (change: MembershipChange) => void

export class AuthService {
  private readonly failures: FailureWindow
  private readonly listeners: MembershipListener[] = []

  constructor(
    private readonly deps: {
      accounts: Accounts
      directory: Directory
      tokens: AccessTokens
      audit?: AuditLog
      /** See REFRESH_REUSE_GRACE_MS; tests set 0 to see reuse detection at once. */
      refreshReuseGraceMs?: number
      setupCode: string
      loginAttempts: number
      log: Logger
      now?: () => number
    },
  ) {
    this.failures = new FailureWindow(deps.loginAttempts, FIFTEEN_MINUTES, deps.now)
  }

  ownerExists(): boolean {
    return this.deps.accounts.hasOwner()
  }

  get setupCode(): string {
    return this.deps.setupCode
  }

  onMembershipChange(listener: MembershipListener): void {
    this.listeners.push(listener)
  }

  private tooMany(keys: string[]): void {
    const waitMs = Math.max(...keys.map((key) => this.failures.blockedFor(key)))
    if (waitMs > 0) {
      throw rateLimited('too many failed attempts; try again later', Math.ceil(waitMs / 1000))
    }
  }

  async setup(
    input: { code: string; name: string; password: string },
    address: string,
  ): Promise<Session> {
    const keys = [`setup:${address}`]
    this.tooMany(keys)
    if (this.deps.accounts.hasOwner())
      throw conflict('the owner is already set up; sign in instead')
    if (!safeEqual(input.code.trim(), this.deps.setupCode)) {
      keys.forEach((key) => this.failures.fail(key))
      throw forbidden('wrong setup code')
    }
    const passwordHash = await hashPassword(input.password)
    const user = this.deps.accounts.transaction(() => {
      if (this.deps.accounts.hasOwner())
        throw conflict('the owner is already set up; sign in instead')
      const created = this.createUser(input.name, passwordHash)
      this.deps.directory.createWorkspace({
        id: newId(),
        name: 'Home',
        createdBy: created.id,
        createdAt: Date.now(),
      })
      return created
    })()
    this.deps.log.info({ user: user.id }, 'owner set up')
    return this.session(user)
  }

  private createUser(name: string, passwordHash: string): User {
    if (this.deps.accounts.userByName(name)) throw conflict(`the name ${name} is taken`)
    const id = newId()
    return this.deps.accounts.createUser({ id, name, color: colorFor(id) }, passwordHash)
  }

  async login(name: string, password: string, address: string): Promise<Session> {
    const keys = [`name:${name.toLowerCase()}`, `addr:${address}`]
    this.tooMany(keys)
    const found = this.deps.accounts.userByName(name)
    // Hash even for an unknown name, so timing does not tell which names exist.
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
    if (!found || !found.passwordHash || found.disabled || !ok) {
      keys.forEach((key) => this.failures.fail(key))
      this.deps.log.info({ name, address }, 'login failed')
      if (found) this.auditUser(found.user, 'auth.login_failed', { address })
      throw unauthorized('wrong name or password')
    }
    this.failures.clear(keys[0] as string)
    this.auditUser(found.user, 'auth.login', { address })
    return this.session(found.user)
  }

  /** Rotates a refresh token. Reusing a spent one revokes its whole family (token theft). */
  async refresh(token: string | undefined): Promise<Session> {
    const refused = unauthorized('sign in again')
    if (!token) throw refused
    const record = this.deps.accounts.refreshRecord(token)
    if (!record || record.revokedAt !== null || record.expiresAt < Date.now()) throw refused
    if (!this.deps.accounts.spendRefresh(token)) {
      // A reply can be lost (the network dropped as it came back), leaving the browser with
      // the spent cookie; a retry soon after is that, not theft. Later reuse revokes.
      const graceMs = this.deps.refreshReuseGraceMs ?? REFRESH_REUSE_GRACE_MS
      const user = this.deps.accounts.activeUser(record.userId)
      if (user && record.usedAt !== null && Date.now() - record.usedAt <= graceMs) {
        return this.session(user, record.family)
      }
      this.deps.accounts.revokeFamily(record.family)
      this.deps.log.warn({ user: record.userId }, 'refresh token reused; its sessions are revoked')
      throw refused
    }
    const user = this.deps.accounts.activeUser(record.userId)
    if (!user) throw refused
    return this.session(user, record.family)
  }

  logout(token: string | undefined): void {
    const record = token ? this.deps.accounts.refreshRecord(token) : undefined
    if (record) this.deps.accounts.revokeFamily(record.family)
  }

  /** Sign-ins concern every workspace of the user: one audit row in each. */
  private auditUser(
    user: User,
    action: 'auth.login' | 'auth.login_failed' | 'auth.password_reset',
    data: Record<string, unknown>,
  ) {
    for (const workspace of this.deps.directory.workspacesOf(user.id)) {
      this.deps.audit?.record({
        action,
        actor: user,
        workspaceId: workspace.id,
        target: user.id,
        data,
      })
    }
  }

  /** A new sign-in for a user another service vouched for (a guest who joined by link). */
  startSession(user: User): Promise<Session> {
    return this.session(user)
  }

  private async session(user: User, family = newId()): Promise<Session> {
    const epoch = this.deps.accounts.activeAccount(user.id)?.tokenEpoch ?? 0
    const access = await this.deps.tokens.issue(user.id, epoch)
    const refreshToken = randomBytes(32).toString('base64url')
    const refreshExpiresAt = Date.now() + REFRESH_DAYS * 24 * 3600 * 1000
    this.deps.accounts.storeRefresh(refreshToken, user.id, family, refreshExpiresAt)
    return {
      user,
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken,
      refreshExpiresAt,
    }
  }

  createInvite(
    workspaceId: string,
    by: User,
    options: { role: Role; expiresInHours?: number | undefined; maxUses?: number | undefined },
  ): { code: string; invite: Invite } {
    const code = randomBytes(18).toString('base64url')
    const now = Date.now()
    const invite = {
      id: newId(),
      workspaceId,
      role: options.role,
      createdBy: by.id,
      createdAt: now,
      expiresAt: now + (options.expiresInHours ?? 72) * 3600 * 1000,
      maxUses: options.maxUses ?? 10,
    }
    this.deps.accounts.createInvite(invite, code)
    return { code, invite: { ...invite, uses: 0, revokedAt: null } }
  }

  /**
   * Accepts an invite: as `existing` (a signed-in user) or as a new account. The use is
   * counted in the same transaction that grants membership, so max uses cannot be overrun.
   */
  async acceptInvite(
    code: string,
    who: { existing: User } | { name: string; password: string },
  ): Promise<{ session: Session; workspace: Workspace }> {
    const invite = this.deps.accounts.inviteByCode(code)
    if (!invite || invite.revokedAt !== null) throw notFound('no such invite')
    if (invite.expiresAt < Date.now())
      throw new LoupeError(ErrorCode.inviteExpired, 'this invite has expired')
    if (invite.uses >= invite.maxUses)
      throw new LoupeError(ErrorCode.inviteUsedUp, 'this invite has been used up')
    const passwordHash = 'existing' in who ? null : await hashPassword(who.password)
    const { user, from, to } = this.deps.accounts.transaction(() => {
      if (!this.deps.accounts.useInvite(invite.id)) {
        throw new LoupeError(ErrorCode.inviteUsedUp, 'this invite has been used up')
      }
      const member =
        'existing' in who ? who.existing : this.createUser(who.name, passwordHash as string)
      const current = this.deps.directory.roleIn(invite.workspaceId, member.id) ?? null
      if (current && atLeast(current, invite.role))
        return { user: member, from: current, to: current }
      this.deps.directory.setMember(invite.workspaceId, member.id, invite.role)
      return { user: member, from: current, to: invite.role }
    })()
    this.deps.audit?.record({
      action: 'invite.accepted',
      actor: user,
      workspaceId: invite.workspaceId,
      target: invite.id,
      data: { role: invite.role },
    })
    if (from !== to) this.changed({ workspaceId: invite.workspaceId, user, from, to, actor: user })
    const workspace = this.deps.directory.workspace(invite.workspaceId) as Workspace
    this.deps.log.info(
      { user: user.id, workspace: workspace.id, role: invite.role },
      'invite accepted',
    )
    return { session: await this.session(user), workspace }
  }

  private changed(change: MembershipChange): void {
    const action =
      change.from === null
        ? 'member.joined'
        : change.to === null
          ? 'member.removed'
          : 'member.role_changed'
    this.deps.audit?.record({
      action,
      actor: change.actor,
      workspaceId: change.workspaceId,
      target: change.user.id,
      data: { name: change.user.name, from: change.from, to: change.to },
    })
    for (const listener of this.listeners) listener(change)
  }

  private member(workspaceId: string, userId: string): { user: User; role: Role } {
    const role = this.deps.directory.roleIn(workspaceId, userId)
    const user = this.deps.directory.user(userId)
    if (!role || !user) throw notFound('no such member')
    return { user, role }
  }

  setRole(workspaceId: string, userId: string, role: Role, by: User): void {
    const { user, role: current } = this.member(workspaceId, userId)
    if (current === role) return
    this.deps.accounts.transaction(() => {
      if (current === 'owner' && this.deps.directory.ownerCount(workspaceId) <= 1) {
        throw conflict('a workspace needs an owner: make someone else owner first')
      }
      this.deps.directory.setMember(workspaceId, userId, role)
    })()
    this.changed({ workspaceId, user, from: current, to: role, actor: by })
  }

  removeMember(workspaceId: string, userId: string, by: User): void {
    const { user, role: current } = this.member(workspaceId, userId)
    this.deps.accounts.transaction(() => {
      if (current === 'owner' && this.deps.directory.ownerCount(workspaceId) <= 1) {
        throw conflict('a workspace needs an owner: make someone else owner first')
      }
      this.deps.directory.removeMember(workspaceId, userId)
    })()
    this.changed({ workspaceId, user, from: current, to: null, actor: by })
  }

  /** Sets a new random password and ends every session of the user. */
  async resetPassword(name: string): Promise<{ user: User; password: string }> {
    const found = this.deps.accounts.userByName(name)
    if (!found) throw notFound(`no user ${name}`)
    const password = randomPassword()
    const hash = await hashPassword(password)
    this.deps.accounts.transaction(() => {
      this.deps.accounts.setPassword(found.user.id, hash)
      this.deps.accounts.revokeAllOf(found.user.id)
      this.deps.accounts.endTokens(found.user.id)
    })()
    this.auditUser(found.user, 'auth.password_reset', {})
    return { user: found.user, password }
  }
}

/** A valid scrypt hash of nothing useful, verified when the name is unknown. */
const DUMMY_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A setup code that is easy to type: 10 characters from an unambiguous alphabet. */
export function newSetupCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')
}
