/**
 * The lock service as the rest of the server sees it, on one machine or in a cluster: every
 * operation a promise that settles once its lock rows, events and audit rows are written.
 * `LocalLocks` is the single-node service (lock-service.ts) with each operation run in one
 * store transaction with what it reported (LockActivity.run); cluster mode has its own
 * (cluster/cluster-locks.ts, over Redis). The document rooms enforce locks on every edit,
 * synchronously, so `lockedByOthers` answers from what this node knows now.
 */
import type { EntityRef, Lock, LockHolder } from '../../shared/protocol/locks.ts'
import type { LockActivity } from './lock-activity.ts'
import type { AcquireRequest, AcquireResult, LockService } from './lock-service.ts'

export interface NodeLocks {
  acquire(request: AcquireRequest): Promise<AcquireResult>
  release(key: string, user: LockHolder, sessionId: string | null): Promise<Lock>
  renew(key: string, user: LockHolder, sessionId: string | null, ttlMs?: number): Promise<Lock>
  cancel(key: string, user: LockHolder, sessionId: string | null): Promise<void>
  forceRelease(key: string, by: LockHolder): Promise<Lock>
  list(boardId: string): Promise<Lock[]>
  /** A dead live session loses its locks and places (L5). */
  releaseSession(sessionId: string): Promise<void>
  /** A member who may no longer edit these boards loses their locks and places (L12). */
  releaseMember(userId: string, boardIds: ReadonlySet<string>, by: LockHolder): Promise<void>
  /** Expires what is past its TTL (the background tick; a cluster reaps on its own). */
  expire(): Promise<void>
  /** The board's entities locked by others than `userId` as this node knows them now. */
  lockedByOthers(boardId: string, userId: string): ReadonlyMap<EntityRef, LockHolder> | null
  /**
   * Cluster mode: takes on a live session alive on another node for `user` (a resume there);
   * null when it is not (dead, or someone else's). `previousNode` had it and must let it go.
   */
  adopt?(sessionId: string, user: LockHolder): Promise<{ previousNode: string | null } | null>
  /**
   * Cluster mode: `lockedByOthers` as every node sees it now (Redis), for a board this node
   * may not serve (whose table it does not keep).
   */
  lockedByOthersNow?(
    boardId: string,
    userId: string,
  ): Promise<ReadonlyMap<EntityRef, LockHolder> | null>
  /** Cluster mode: makes a session just started here known to every node. */
  sessionStarted?(sessionId: string, user: LockHolder): Promise<void>
  /** Cluster mode: whether `sessionId` is a live session of `userId` on any node. */
  ownsSession?(userId: string, sessionId: string): Promise<boolean>
  /** Sessions that held or waited for locks when the node last stopped (L8). */
  sessionsInUse(): Array<{ sessionId: string; user: LockHolder }>
  stop(): void
}

/** The single-node service: decisions in the caller's turn, written in one transaction each. */
export class LocalLocks implements NodeLocks {
  constructor(
    private readonly service: LockService,
    private readonly activity: LockActivity,
  ) {}

  private run<T>(operation: () => T): Promise<T> {
    return this.activity.run(operation)
  }

  acquire(request: AcquireRequest): Promise<AcquireResult> {
    return this.run(() => this.service.acquire(request))
  }

  release(key: string, user: LockHolder, sessionId: string | null): Promise<Lock> {
    return this.run(() => this.service.release(key, user, sessionId))
  }

  renew(key: string, user: LockHolder, sessionId: string | null, ttlMs?: number): Promise<Lock> {
    return this.run(() => this.service.renew(key, user, sessionId, ttlMs))
  }

  cancel(key: string, user: LockHolder, sessionId: string | null): Promise<void> {
    return this.run(() => this.service.cancel(key, user, sessionId))
  }

  forceRelease(key: string, by: LockHolder): Promise<Lock> {
    return this.run(() => this.service.forceRelease(key, by))
  }

  async list(boardId: string): Promise<Lock[]> {
    return this.service.list(boardId)
  }

  releaseSession(sessionId: string): Promise<void> {
    return this.run(() => this.service.releaseSession(sessionId))
  }

  releaseMember(userId: string, boardIds: ReadonlySet<string>, by: LockHolder): Promise<void> {
    return this.run(() => this.service.releaseMember(userId, boardIds, by))
  }

  expire(): Promise<void> {
    return this.run(() => this.service.expire())
  }

  lockedByOthers(boardId: string, userId: string) {
    return this.service.lockedByOthers(boardId, userId)
  }

  sessionsInUse() {
    return this.service.sessionsInUse()
  }

  stop(): void {}
}
