/**
 * Where the lock service keeps what must outlive the process (docs/locks.md, L2 and L8): the
 * fencing counter per key, the held locks and the queues. The rules live in lock-service.ts
 * and run against any store that passes the contract suite (lock-store.contract.ts).
 */
import type { Lock, LockHolder } from '../../shared/protocol/locks.ts'

export interface StoredLock {
  lock: Lock
  boardId: string
  ttlMs: number
}

export interface StoredWaiter {
  user: LockHolder
  sessionId: string | null
  ttlMs: number
  /** Wall-clock ms when the waiter joined. */
  queuedAt: number
}

export interface LockStore {
  /** The next fencing token for `key`: larger than every token it gave before, restarts included (L2). */
  nextToken(key: string): number
  /** Stores a granted or renewed lock, replacing the key's earlier one. */
  save(held: StoredLock): void
  remove(key: string): void
  /** Replaces the key's queue (an empty list removes it). */
  saveQueue(key: string, waiters: readonly StoredWaiter[]): void
  loadLocks(): StoredLock[]
  /** Every stored queue, waiters in order. */
  loadQueues(): Map<string, StoredWaiter[]>
  /** Runs `work` so that its writes (and the caller's other writes in it) commit together. */
  transaction<T>(work: () => T): T
}

/** A store in memory: for tests of the rules, and a model of what any store must do. */
export class MemoryLockStore implements LockStore {
  private readonly tokens = new Map<string, number>()
  private readonly locks = new Map<string, StoredLock>()
  private readonly queues = new Map<string, StoredWaiter[]>()

  nextToken(key: string): number {
    const token = (this.tokens.get(key) ?? 0) + 1
    this.tokens.set(key, token)
    return token
  }

  save(held: StoredLock): void {
    this.locks.set(held.lock.key, structuredClone(held))
  }

  remove(key: string): void {
    this.locks.delete(key)
  }

  saveQueue(key: string, waiters: readonly StoredWaiter[]): void {
    if (waiters.length === 0) this.queues.delete(key)
    else this.queues.set(key, structuredClone([...waiters]))
  }

  loadLocks(): StoredLock[] {
    return [...this.locks.values()].map((held) => structuredClone(held))
  }

  loadQueues(): Map<string, StoredWaiter[]> {
    return new Map([...this.queues].map(([key, queue]) => [key, structuredClone(queue)]))
  }

  transaction<T>(work: () => T): T {
    return work()
  }
}
