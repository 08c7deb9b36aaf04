/**
 * What a lock function's changes mean beyond Redis (docs/cluster.md, "Redis"): they are
 * journaled first (PostgreSQL judges fencing tokens and keeps what a rebuild needs), and only
 * then reported as the same LockEvents as on one node (events, audit, notifications). A grant
 * the journal would not take is never reported to anyone: it is undone.
 */
import { FenceRegressionError, type LockJournal } from '../../locks/lock-journal.ts'
import type { LockEvents } from '../../locks/lock-service.ts'
import type { RedisConnection } from './connection.ts'
import type { LockGeneration } from './lock-generation.ts'
import {
  boardOf,
  entityOf,
  journalEntries,
  parseReply,
  toLock,
  type Change,
  type LockRecord,
} from './lock-records.ts'

/** How many revocations an unjournaled change may cascade into (each serves the next waiter). */
const MAX_REVOKE_DEPTH = 32

export class LockOutcomes {
  /** Average observed hold time (ms), for wait estimates; this node's view. */
  private averageHoldMs: number | null = null

  constructor(
    private readonly options: {
      connection: RedisConnection
      journal: LockJournal
      events: LockEvents
      generation: LockGeneration
      onError?: ((error: Error) => void) | undefined
    },
  ) {}

  /** Journals the changes, then reports them; throws (after undoing) when the journal refuses or fails. */
  async apply(changes: readonly Change[], now: number, depth = 0): Promise<void> {
    const entries = journalEntries(changes, now)
    if (entries.length > 0) {
      try {
        await this.options.journal.record(entries)
      } catch (error) {
        this.options.onError?.(error as Error)
        await this.undo(changes, error, depth)
        throw error
      }
    }
    for (const c of changes) this.report(c)
  }

  /**
   * Grants that could not be journaled are never told to anyone. When the journal caught Redis
   * going backwards, a new generation rebuilds everything from the journal; otherwise (the
   * journal is unreachable) each such grant is revoked, which may serve the next waiter.
   */
  private async undo(changes: readonly Change[], error: unknown, depth: number): Promise<void> {
    if (error instanceof FenceRegressionError) {
      await this.options.generation.check(this.options.generation.current ?? undefined)
      return
    }
    if (depth >= MAX_REVOKE_DEPTH) return
    for (const c of changes) {
      if (c.k !== 'granted') continue
      try {
        const reply = parseReply(
          await this.options.connection.fcall('lock_revoke', [
            this.options.connection.keys.prefix,
            boardOf(c.lock.k),
            entityOf(c.lock.k),
            c.lock.t,
          ]),
        )
        await this.apply(reply.changes, Number(reply.now), depth + 1)
      } catch (revokeError) {
        this.options.onError?.(revokeError as Error)
      }
    }
  }

  private report(c: Change): void {
    const { events } = this.options
    if (c.k === 'granted' && !c.replay)
      events.granted(toLock(c.lock), boardOf(c.lock.k), c.fromQueue)
    else if (c.k === 'released' && c.reason !== 'revoked') {
      const hold = Number(c.at) - Number(c.lock.a)
      this.averageHoldMs =
        this.averageHoldMs === null ? hold : this.averageHoldMs * 0.8 + hold * 0.2
      events.released(toLock(c.lock), boardOf(c.lock.k), c.reason, c.by)
    } else if (c.k === 'queued')
      events.queued(c.key, boardOf(c.key), c.waiter.u, c.holder, c.position)
    else if (c.k === 'refused') events.refused(c.key, boardOf(c.key), c.who, c.holder)
  }

  /** Time until the holder is likely done (observed hold times, capped by the TTL), plus the queue ahead. */
  estimate(lock: LockRecord, now: number, position: number): number {
    const ttl = Number(lock.l)
    const remaining = Math.max(0, Number(lock.e) - now)
    const typical = Math.min(this.averageHoldMs ?? ttl, ttl)
    const current = Math.min(remaining, Math.max(0, typical - (now - Number(lock.a))))
    return Math.round(current + (position - 1) * typical)
  }
}
