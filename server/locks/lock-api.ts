/**
 * The lock requests people make, over HTTP and the live socket alike: the key names a board
 * the user can see, viewers and reviewers cannot lock (they cannot edit), TTLs stay within the
 * ceiling (L10), and then the service decides.
 */
import { parseLockKey, type Lock } from '../../shared/protocol/locks.ts'
import { atLeast } from '../../shared/roles.ts'
import type { Auth } from '../auth/auth.ts'
import type { DirectoryRepo, User } from '../storage/directory-repo.ts'
import { LockError, type AcquireResult, type LockService } from './lock-service.ts'

export class LockApi {
  constructor(
    readonly service: LockService,
    private readonly deps: {
      auth: Auth
      directory: DirectoryRepo
      maxTtlMs: number
      /**
       * Runs one lock operation with everything it writes (the lock, its event, its audit
       * row, a notification) in a single store transaction: one commit per request. A refusal
       * is thrown after the transaction commits, so its event and audit row are kept
       * (LockActivity.run).
       */
      atomically: <T>(operation: () => T) => Promise<T>
    },
  ) {}

  private atomically<T>(operation: () => T): Promise<T> {
    return this.deps.atomically(operation)
  }

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
    return this.atomically(() =>
      this.service.acquire({
        key: request.key,
        boardId: board.id,
        user: { id: user.id, name: user.name },
        sessionId,
        ttlMs: this.ttl(request.ttlMs),
        wait: request.wait,
        requestId: request.requestId,
      }),
    )
  }

  async release(user: User, key: string, sessionId: string | null): Promise<Lock> {
    await this.board(user, key, 'viewer')
    return this.atomically(() => this.service.release(key, user, sessionId))
  }

  async renew(user: User, key: string, sessionId: string | null, ttlMs?: number): Promise<Lock> {
    await this.board(user, key, 'editor')
    const ttl = this.ttl(ttlMs)
    return this.atomically(() => this.service.renew(key, user, sessionId, ttl))
  }

  async cancel(user: User, key: string, sessionId: string | null): Promise<void> {
    await this.board(user, key, 'viewer')
    await this.atomically(() => this.service.cancel(key, user, sessionId))
  }

  async forceRelease(user: User, key: string): Promise<Lock> {
    await this.board(user, key, 'owner')
    return this.atomically(() => this.service.forceRelease(key, user))
  }

  async list(user: User, boardId: string): Promise<Lock[]> {
    await this.board(user, `${boardId}/task/x`, 'viewer')
    return this.service.list(boardId)
  }
}
