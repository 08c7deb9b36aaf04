/**
 * What lock changes mean to people: every grant, refusal, queueing, release and expiry is an
 * event on the board's stream and an audit row (L9); a waiter who gets the lock and a holder
 * whose lock is forced free are notified.
 *
 * The single-node lock service decides synchronously, in its caller's turn (so of
 * simultaneous requests exactly one wins, L1), and reports through these callbacks as it
 * goes. `run(operation)` runs an operation in one store transaction with everything it
 * reports, in the order reported: on SQLite the lock rows, events, audit rows and
 * notifications commit together. A change reported outside `run` (an expiry found by an
 * edit) is written in a transaction of its own, after those reported before it.
 */
import { SYSTEM_ACTOR, type Actor } from '../../shared/protocol/events.ts'
import type { Lock, LockHolder } from '../../shared/protocol/locks.ts'
import type { EventBus } from '../events/bus.ts'
import type { Notifier } from '../notifications/notifier.ts'
import type { StoreTx, Stores } from '../storage/stores.ts'
import type { LockEvents, ReleaseReason } from './lock-service.ts'

type Report = (tx: StoreTx) => Promise<void>

export class LockActivity implements LockEvents {
  /** The reports of the operation `run` is running now, written in its transaction. */
  private running: Report[] | null = null
  /** Reports made outside `run`, each written after the one before. */
  private alone: Promise<void> = Promise.resolve()

  constructor(
    private readonly deps: {
      stores: Stores
      bus: EventBus
      notifier: Notifier
      /** Where a report written on its own that failed is told. */
      failed: (error: unknown) => void
    },
  ) {}

  /**
   * Runs a lock operation and writes what it reported in one transaction. A refusal the
   * operation throws is thrown once that transaction commits, so its event and audit row
   * are kept.
   */
  async run<T>(operation: () => T): Promise<T> {
    const outcome = await this.deps.stores.transaction(async (tx) => {
      const reports: Report[] = []
      this.running = reports
      let result: { value: T } | { error: unknown }
      try {
        result = { value: operation() }
      } catch (error) {
        result = { error }
      } finally {
        this.running = null
      }
      for (const report of reports) await report(tx)
      return result
    })
    if ('error' in outcome) throw outcome.error
    return outcome.value
  }

  /**
   * Resolves once every report made so far outside `run` is written (or failed). Cluster mode
   * reports as Redis answers, outside `run`: its operations wait for this before they answer,
   * so a caller that hears of a change finds its event in the log, as on one node.
   */
  written(): Promise<void> {
    return this.alone
  }

  private report(write: Report): void {
    if (this.running) return void this.running.push(write)
    this.alone = this.alone.then(() => this.deps.stores.transaction(write)).catch(this.deps.failed)
  }

  private async workspaceOf(tx: StoreTx, boardId: string): Promise<string | null> {
    return (await tx.directory.board(boardId))?.workspaceId ?? null
  }

  granted(lock: Lock, boardId: string, fromQueue: boolean): void {
    const holder = pick(lock.holder)
    this.report(async (tx) => {
      await this.deps.bus.emit(
        'lock.acquired',
        {
          actor: holder,
          boardId,
          data: {
            key: lock.key,
            holder,
            fencingToken: lock.fencingToken,
            expiresAt: lock.expiresAt,
            fromQueue,
          },
        },
        tx,
      )
      const workspaceId = await this.workspaceOf(tx, boardId)
      await tx.audit.record({
        action: 'lock.granted',
        actor: holder,
        workspaceId,
        target: lock.key,
        data: { fencingToken: lock.fencingToken, fromQueue },
      })
      if (fromQueue && workspaceId) {
        // The waiter asked to be told (L6): a stored notification, pushed live if online.
        await this.deps.notifier.notify(
          workspaceId,
          {
            userId: holder.id,
            type: 'lock.granted',
            actor: SYSTEM_ACTOR,
            boardId,
            data: { key: lock.key, fencingToken: lock.fencingToken, expiresAt: lock.expiresAt },
          },
          tx,
        )
      }
    })
  }

  released(lock: Lock, boardId: string, reason: ReleaseReason, by: LockHolder): void {
    const holder = pick(lock.holder)
    this.report(async (tx) => {
      if (reason === 'expired') {
        await this.deps.bus.emit(
          'lock.expired',
          {
            actor: SYSTEM_ACTOR,
            boardId,
            data: { key: lock.key, holder, fencingToken: lock.fencingToken },
          },
          tx,
        )
      } else {
        const actor: Actor = reason === 'session' ? SYSTEM_ACTOR : pick(by)
        await this.deps.bus.emit(
          'lock.released',
          {
            actor,
            boardId,
            data: { key: lock.key, holder, reason, fencingToken: lock.fencingToken },
          },
          tx,
        )
      }
      const workspaceId = await this.workspaceOf(tx, boardId)
      const action = {
        released: 'lock.released',
        expired: 'lock.expired',
        forced: 'lock.force_released',
        session: 'lock.session_ended',
        membership: 'lock.membership_ended',
      } as const
      await tx.audit.record({
        action: action[reason],
        actor: reason === 'forced' || reason === 'membership' ? pick(by) : holder,
        workspaceId,
        target: lock.key,
        data: { holder },
      })
      if (reason === 'forced' && workspaceId) {
        await this.deps.notifier.notify(
          workspaceId,
          {
            userId: holder.id,
            type: 'lock.revoked',
            actor: pick(by),
            boardId,
            data: { key: lock.key },
          },
          tx,
        )
      }
    })
  }

  queued(
    key: string,
    boardId: string,
    waiter: LockHolder,
    holder: LockHolder,
    position: number,
  ): void {
    this.report(async (tx) => {
      await this.deps.bus.emit(
        'lock.queued',
        {
          actor: pick(waiter),
          boardId,
          data: { key, holder: pick(holder), waiter: pick(waiter), position },
        },
        tx,
      )
      await tx.audit.record({
        action: 'lock.queued',
        actor: pick(waiter),
        workspaceId: await this.workspaceOf(tx, boardId),
        target: key,
        data: { position },
      })
    })
  }

  refused(key: string, boardId: string, who: LockHolder, holder: LockHolder): void {
    this.report(async (tx) => {
      await this.deps.bus.emit(
        'lock.refused',
        {
          actor: pick(who),
          boardId,
          data: { key, holder: pick(holder), requester: pick(who) },
        },
        tx,
      )
      await tx.audit.record({
        action: 'lock.refused',
        actor: pick(who),
        workspaceId: await this.workspaceOf(tx, boardId),
        target: key,
        data: { holder: pick(holder) },
      })
    })
  }
}

/** Only id and name go into events (a User also carries its color). */
const pick = (who: LockHolder): Actor => ({ id: who.id, name: who.name })
