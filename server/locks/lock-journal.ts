/**
 * The lock journal of cluster mode (docs/cluster.md, "Lock journal"): every lock change made
 * in Redis is recorded here before its caller is answered, so that
 *  - PostgreSQL judges fencing tokens: a grant whose token is not above every token journaled
 *    for its key is refused (Redis went backwards), and nobody is ever told such a token (L2);
 *  - after Redis loses its data, the lock table and queues are rebuilt from `latest()` (L8).
 * `MemoryLockJournal` is the model; the PostgreSQL one (tables lock_journal and lock_fence)
 * must pass the same contract suite (lock-journal.contract.ts).
 */
import type { LockHolder } from '../../shared/protocol/locks.ts'

export type LockJournalKind = 'granted' | 'renewed' | 'released' | 'queued' | 'dequeued'

export interface LockJournalEntry {
  kind: LockJournalKind
  /** The lock key, `<boardId>/<entityType>/<entityId>`. */
  key: string
  boardId: string
  /** granted, renewed, released: the lock's fencing token; queued, dequeued: the waiter's ticket. */
  token: number
  /** The lock's holder, or the waiter. */
  holder: LockHolder
  sessionId: string | null
  requestId: string | null
  /** Lock kinds: when it was granted; queue kinds: when the waiter joined (Redis ms). */
  acquiredAt: number
  /** Lock kinds: when it expires (Redis ms); queue kinds: 0. */
  expiresAt: number
  ttlMs: number
  /** released: a ReleaseReason; dequeued: granted, dead, cancelled, session or membership. */
  reason: string | null
  /** When the change was made (Redis ms). */
  at: number
}

export interface JournaledState {
  /** Locks still held: per key, the newest lock entry when it is not a release. */
  held: LockJournalEntry[]
  /** Waiters still queued (queued with no dequeued of the same key and ticket), by ticket. */
  waiting: LockJournalEntry[]
}

export interface LockJournal {
  /**
   * Records the entries, all or none. A granted entry must carry a token greater than every
   * token granted before for its key, else FenceRegressionError (and nothing is recorded). The
   * same grant recorded again (same key, token, holder, session and acquiredAt: a retry after
   * an unknown outcome) is accepted and changes nothing; a different grant reusing a token is
   * a regression like any other.
   */
  record(entries: readonly LockJournalEntry[]): Promise<void>
  /**
   * What a rebuild restores. Entries may have been recorded out of order by different nodes,
   * so "newest" is decided by the data, not arrival: the largest token wins; for one token a
   * release outranks a grant or renewal, and a later expiry outranks an earlier one.
   */
  latest(): Promise<JournaledState>
}

/** A granted token that is not above the key's journaled maximum: Redis went backwards. */
export class FenceRegressionError extends Error {
  constructor(
    readonly key: string,
    readonly token: number,
    readonly maxToken: number,
  ) {
    super(`fencing token ${token} for ${key} is not above the journaled ${maxToken}`)
    this.name = 'FenceRegressionError'
  }
}

const LOCK_KINDS = new Set<LockJournalKind>(['granted', 'renewed', 'released'])

/** Whether `a` supersedes `b` as the state of one key (see `latest`). */
export function newerLockEntry(a: LockJournalEntry, b: LockJournalEntry): boolean {
  if (a.token !== b.token) return a.token > b.token
  const released = (e: LockJournalEntry) => (e.kind === 'released' ? 1 : 0)
  if (released(a) !== released(b)) return released(a) > released(b)
  return a.expiresAt > b.expiresAt
}

const grantIdentity = (e: LockJournalEntry) =>
  JSON.stringify([e.holder.id, e.sessionId, e.acquiredAt])

export class MemoryLockJournal implements LockJournal {
  readonly entries: LockJournalEntry[] = []
  private readonly maxToken = new Map<string, number>()
  /** Each granted key#token → the grant's identity, to tell a replay from a regression. */
  private readonly granted = new Map<string, string>()

  async record(entries: readonly LockJournalEntry[]): Promise<void> {
    const max = new Map(this.maxToken)
    const replays = new Set<LockJournalEntry>()
    for (const entry of entries) {
      if (entry.kind !== 'granted') continue
      if (this.granted.get(`${entry.key}#${entry.token}`) === grantIdentity(entry)) {
        replays.add(entry)
        continue
      }
      const before = max.get(entry.key) ?? 0
      if (entry.token <= before) throw new FenceRegressionError(entry.key, entry.token, before)
      max.set(entry.key, entry.token)
    }
    for (const [key, token] of max) this.maxToken.set(key, token)
    for (const entry of entries) {
      if (replays.has(entry)) continue
      if (entry.kind === 'granted')
        this.granted.set(`${entry.key}#${entry.token}`, grantIdentity(entry))
      this.entries.push(structuredClone(entry))
    }
  }

  async latest(): Promise<JournaledState> {
    const newest = new Map<string, LockJournalEntry>()
    const queued = new Map<string, LockJournalEntry>()
    const dequeued = new Set<string>()
    for (const entry of this.entries) {
      if (LOCK_KINDS.has(entry.kind)) {
        const before = newest.get(entry.key)
        if (!before || newerLockEntry(entry, before)) newest.set(entry.key, entry)
      } else if (entry.kind === 'queued') queued.set(`${entry.key}#${entry.token}`, entry)
      else dequeued.add(`${entry.key}#${entry.token}`)
    }
    return structuredClone({
      held: [...newest.values()].filter((e) => e.kind !== 'released'),
      waiting: [...queued]
        .filter(([id]) => !dequeued.has(id))
        .map(([, entry]) => entry)
        .sort((a, b) => a.token - b.token),
    })
  }

  /** The largest token granted so far for `key` (0 if none), as lock_fence holds it. */
  maxTokenOf(key: string): number {
    return this.maxToken.get(key) ?? 0
  }
}
