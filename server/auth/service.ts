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
import { conflict, forbidden, LoupeError, notFound, rateLimited, unauthorized } from '../errors.ts'
import { NameTakenError, type Invite } from '../storage/accounts-repo.ts'
import type { AuditRepo } from '../storage/audit-repo.ts'
import type { User, Workspace } from '../storage/directory-repo.ts'
import type { Repositories, Stores } from '../storage/stores.ts'
import { FailureWindow } from './limiter.ts'
import { hashPassword, randomPassword, verifyPassword } from './passwords.ts'
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

/**
 * Told of every membership change, so open sockets, events and locks follow; the change is
 * answered only once every listener is done.
 */
export type MembershipListener = (change: MembershipChange) => void | Promise<void>

export class AuthService {
  private readonly failures: FailureWindow
  private readonly listeners: MembershipListener[] = []

  constructor(
    private readonly deps: {
      stores: Stores
      tokens: AccessTokens
      /** Where sign-ins and membership changes are recorded (the admin tool records none). */
      audit?: AuditRepo
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

  private get accounts() {
    return this.deps.stores.accounts
  }

  private get directory() {
    return this.deps.stores.directory
  }

  ownerExists(): Promise<boolean> {
    return this.accounts.hasOwner()
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
    if (await this.accounts.hasOwner())
      throw conflict('the owner is already set up; sign in instead')
    if (!safeEqual(input.code.trim(), this.deps.setupCode)) {
      keys.forEach((key) => this.failures.fail(key))
      throw forbidden('wrong setup code')
    }
    const passwordHash = await hashPassword(input.password)
    const user = await this.deps.stores.transaction(async (tx) => {
      if (await tx.accounts.hasOwner())
        throw conflict('the owner is already set up; sign in instead')
      const created = await createUser(tx, input.name, passwordHash)
      await tx.directory.createWorkspace({
        id: newId(),
        name: 'Home',
        createdBy: created.id,
        createdAt: Date.now(),
      })
      return created
    })
    this.deps.log.info({ user: user.id }, 'owner set up')
    return this.session(user)
  }

  async login(name: string, password: string, address: string): Promise<Session> {
    const keys = [`name:${name.toLowerCase()}`, `addr:${address}`]
    this.tooMany(keys)
    const found = await this.accounts.userByName(name)
    // Hash even for an unknown name, so timing does not tell which names exist.
    const ok = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH)
    if (!found || !found.passwordHash || found.disabled || !ok) {
      keys.forEach((key) => this.failures.fail(key))
      this.deps.log.info({ name, address }, 'login failed')
      if (found) await this.auditUser(found.user, 'auth.login_failed', { address })
      throw unauthorized('wrong name or password')
    }
    this.failures.clear(keys[0] as string)
    await this.auditUser(found.user, 'auth.login', { address })
    return this.session(found.user)
  }

  /** Rotates a refresh token. Reusing a spent one revokes its whole family (token theft). */
  async refresh(token: string | undefined): Promise<Session> {
    const refused = unauthorized('sign in again')
    if (!token) throw refused
    const record = await this.accounts.refreshRecord(token)
    if (!record || record.revokedAt !== null || record.expiresAt < Date.now()) throw refused
    if (!(await this.accounts.spendRefresh(token))) {
      // A reply can be lost (the network dropped as it came back), leaving the browser with
      // the spent cookie; a retry soon after is that, not theft. Later reuse revokes.
      const graceMs = this.deps.refreshReuseGraceMs ?? REFRESH_REUSE_GRACE_MS
      const user = await this.accounts.activeUser(record.userId)
      if (user && record.usedAt !== null && Date.now() - record.usedAt <= graceMs) {
        return this.session(user, record.family)
      }
      await this.accounts.revokeFamily(record.family)
      this.deps.log.warn({ user: record.userId }, 'refresh token reused; its sessions are revoked')
      throw refused
    }
    const user = await this.accounts.activeUser(record.userId)
    if (!user) throw refused
    return this.session(user, record.family)
  }

  async logout(token: string | undefined): Promise<void> {
    const record = token ? await this.accounts.refreshRecord(token) : undefined
    if (record) await this.accounts.revokeFamily(record.family)
  }

  /** Sign-ins concern every workspace of the user: one audit row in each. */
  private async auditUser(
    user: User,
    action: 'auth.login' | 'auth.login_failed' | 'auth.password_reset',
    data: Record<string, unknown>,
  ): Promise<void> {
    const { audit } = this.deps
    if (!audit) return
    for (const workspace of await this.directory.workspacesOf(user.id)) {
      await audit.record({
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
    const epoch = (await this.accounts.activeAccount(user.id))?.tokenEpoch ?? 0
    const access = await this.deps.tokens.issue(user.id, epoch)
    const refreshToken = randomBytes(32).toString('base64url')
    const refreshExpiresAt = Date.now() + REFRESH_DAYS * 24 * 3600 * 1000
    await this.accounts.storeRefresh(refreshToken, user.id, family, refreshExpiresAt)
    return {
      user,
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken,
      refreshExpiresAt,
    }
  }

  async createInvite(
    workspaceId: string,
    by: User,
    options: { role: Role; expiresInHours?: number | undefined; maxUses?: number | undefined },
  ): Promise<{ code: string; invite: Invite }> {
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
    await this.accounts.createInvite(invite, code)
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
    const invite = await this.accounts.inviteByCode(code)
    if (!invite || invite.revokedAt !== null) throw notFound('no such invite')
    if (invite.expiresAt < Date.now())
      throw new LoupeError(ErrorCode.inviteExpired, 'this invite has expired')
    if (invite.uses >= invite.maxUses)
      throw new LoupeError(ErrorCode.inviteUsedUp, 'this invite has been used up')
    const passwordHash = 'existing' in who ? null : await hashPassword(who.password)
    const { user, from, to } = await this.deps.stores.transaction(async (tx) => {
      if (!(await tx.accounts.useInvite(invite.id))) {
        throw new LoupeError(ErrorCode.inviteUsedUp, 'this invite has been used up')
      }
      const member =
        'existing' in who ? who.existing : await createUser(tx, who.name, passwordHash as string)
      const current = (await tx.directory.roleIn(invite.workspaceId, member.id)) ?? null
      if (current && atLeast(current, invite.role))
        return { user: member, from: current, to: current }
      await tx.directory.setMember(invite.workspaceId, member.id, invite.role)
      return { user: member, from: current, to: invite.role }
    })
    await this.deps.audit?.record({
      action: 'invite.accepted',
      actor: user,
      workspaceId: invite.workspaceId,
      target: invite.id,
      data: { role: invite.role },
    })
    if (from !== to)
      await this.changed({ workspaceId: invite.workspaceId, user, from, to, actor: user })
    const workspace = (await this.directory.workspace(invite.workspaceId)) as Workspace
    this.deps.log.info(
      { user: user.id, workspace: workspace.id, role: invite.role },
      'invite accepted',
    )
    return { session: await this.session(user), workspace }
  }

  private async changed(change: MembershipChange): Promise<void> {
    const action =
      change.from === null
        ? 'member.joined'
        : change.to === null
          ? 'member.removed'
          : 'member.role_changed'
    await this.deps.audit?.record({
      action,
      actor: change.actor,
      workspaceId: change.workspaceId,
      target: change.user.id,
      data: { name: change.user.name, from: change.from, to: change.to },
    })
    for (const listener of this.listeners) await listener(change)
  }

  setRole(workspaceId: string, userId: string, role: Role, by: User): Promise<void> {
    return this.changeMember(workspaceId, userId, role, by)
  }

  removeMember(workspaceId: string, userId: string, by: User): Promise<void> {
    return this.changeMember(workspaceId, userId, null, by)
  }

  /**
   * Gives a member a new role (null: removes them). The rule that a workspace keeps an owner
   * is checked in the transaction that writes, holding the workspace's row (on PostgreSQL
   * another node's change waits for it).
   */
  private async changeMember(workspaceId: string, userId: string, to: Role | null, by: User) {
    const change = await this.deps.stores.transaction(async (tx) => {
      await tx.directory.lockWorkspace(workspaceId)
      const from = await tx.directory.roleIn(workspaceId, userId)
      const user = await tx.directory.user(userId)
      if (!from || !user) throw notFound('no such member')
      if (from === to) return null
      if (from === 'owner' && (await tx.directory.ownerCount(workspaceId)) <= 1) {
        throw conflict('a workspace needs an owner: make someone else owner first')
      }
      if (to) await tx.directory.setMember(workspaceId, userId, to)
      else await tx.directory.removeMember(workspaceId, userId)
      return { workspaceId, user, from, to, actor: by }
    })
    if (change) await this.changed(change)
  }

  /** Sets a new random password and ends every session of the user. */
  async resetPassword(name: string): Promise<{ user: User; password: string }> {
    const found = await this.accounts.userByName(name)
    if (!found) throw notFound(`no user ${name}`)
    const password = randomPassword()
    const hash = await hashPassword(password)
    await this.deps.stores.transaction(async (tx) => {
      await tx.accounts.setPassword(found.user.id, hash)
      await tx.accounts.revokeAllOf(found.user.id)
      await tx.accounts.endTokens(found.user.id)
    })
    await this.auditUser(found.user, 'auth.password_reset', {})
    return { user: found.user, password }
  }
}

/** A new account with a password; its name must be free whatever its case. */
async function createUser(repos: Repositories, name: string, passwordHash: string): Promise<User> {
  if (await repos.accounts.userByName(name)) throw conflict(`the name ${name} is taken`)
  const id = newId()
  try {
    return await repos.accounts.createUser({ id, name, color: colorFor(id) }, passwordHash)
  } catch (error) {
    // Taken between the look and the write (another node): the same answer.
    if (error instanceof NameTakenError) throw conflict(`the name ${name} is taken`)
    throw error
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
