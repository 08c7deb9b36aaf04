/**
 * The lock requests people make, over HTTP and the live socket alike: the key names a board
 * the user can see, viewers and reviewers cannot lock (they cannot edit), TTLs stay within the
 * ceiling (L10), and then the service decides.
 */
import { parseLockKey, type Lock } from '../../shared/protocol/locks.ts'
import { atLeast } from '../../shared/roles.ts'
import type { Auth } from '../auth/auth.ts'
import type { DirectoryRepo, User } from '../storage/directory-repo.ts'
import { LockError, type AcquireResult } from './lock-service.ts'
import type { NodeLocks } from './node-locks.ts'

export class LockApi {
  constructor(
    /** Each operation settles once what it wrote (lock, event, audit row) is committed. */
    readonly service: NodeLocks,
    private readonly deps: {
      auth: Auth
      directory: DirectoryRepo
      maxTtlMs: number
    },
  ) {}

  private async board(user: User, key: string, minimum: 'viewer' | 'editor' | 'owner') {
    const parsed = parseLockKey(key)
    if (!parsed)
      throw new LockError(
        'bad_key',
        'a lock key is <boardId>/<task|annotation|media|thread>/<entityId>',
      )
    const board = await this.deps.directory.board(parsed.boardId)
    const role =
      board && board.archivedAt === null ? await this.deps.auth.roleOnBoard(user, board) : undefined
    if (!board || !role) throw new LockError('not_found', `no board ${parsed.boardId}`)
    // A lock is for editing an entity; reviewers only comment and draw their own annotations,
    // which no one else can change anyway.
    if (minimum === 'editor' && !atLeast(role, 'editor')) {
      throw new LockError('forbidden', `${role}s cannot edit, so they cannot lock`)
    }
    if (minimum === 'owner' && role !== 'owner')
      throw new LockError('forbidden', 'only owners can force a lock free')
    return board
  }

  private ttl(ttlMs: number | undefined): number | undefined {
    if (ttlMs !== undefined && ttlMs > this.deps.maxTtlMs) {
      throw new LockError('ttl_too_long', `ttlMs may be at most ${this.deps.maxTtlMs}`, {
        maxTtlMs: this.deps.maxTtlMs,
      })
    }
    return ttlMs
  }

  async acquire(
    user: User,
    request: {
      key: string
      ttlMs?: number | undefined
      wait?: boolean | undefined
      requestId?: string | undefined
    },
    sessionId: string | null,
  ): Promise<AcquireResult> {
    const board = await this.board(user, request.key, 'editor')
    return this.service.acquire({
      key: request.key,
      boardId: board.id,
      user: { id: user.id, name: user.name },
      sessionId,
      ttlMs: this.ttl(request.ttlMs),
      wait: request.wait,
      requestId: request.requestId,
    })
  }

  async release(user: User, key: string, sessionId: string | null): Promise<Lock> {
    await this.board(user, key, 'viewer')
    return this.service.release(key, user, sessionId)
  }

  async renew(user: User, key: string, sessionId: string | null, ttlMs?: number): Promise<Lock> {
    await this.board(user, key, 'editor')
    const ttl = this.ttl(ttlMs)
    return this.service.renew(key, user, sessionId, ttl)
  }

  async cancel(user: User, key: string, sessionId: string | null): Promise<void> {
    await this.board(user, key, 'viewer')
    await this.service.cancel(key, user, sessionId)
  }

  async forceRelease(user: User, key: string): Promise<Lock> {
    await this.board(user, key, 'owner')
    return this.service.forceRelease(key, user)
  }

  async list(user: User, boardId: string): Promise<Lock[]> {
    await this.board(user, `${boardId}/task/x`, 'viewer')
    return this.service.list(boardId)
  }
}
