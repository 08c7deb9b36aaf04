/**
 * What lock changes mean to people: every grant, refusal, queueing, release and expiry is an
 * event on the board's stream and an audit row (L9); a waiter who gets the lock and a holder
 * whose lock is forced free are notified.
 */
import { SYSTEM_ACTOR, type Actor } from '../../shared/protocol/events.ts'
import type { Lock, LockHolder } from '../../shared/protocol/locks.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { Directory } from '../db/directory.ts'
import type { EventBus } from '../events/bus.ts'
import type { Notifier } from '../notifications/notifier.ts'
import type { LockEvents, ReleaseReason } from './lock-service.ts'

export class LockActivity implements LockEvents {
  constructor(
    private readonly deps: {
      bus: EventBus
      audit: AuditLog
      notifier: Notifier
      directory: Directory
    },
  ) {}

  private workspaceOf(boardId: string): string | null {
    return this.deps.directory.board(boardId)?.workspaceId ?? null
  }

  granted(lock: Lock, boardId: string, fromQueue: boolean): void {
    const holder = pick(lock.holder)
    this.deps.bus.emit('lock.acquired', {
      actor: holder,
      boardId,
      data: {
        key: lock.key,
        holder,
        fencingToken: lock.fencingToken,
        expiresAt: lock.expiresAt,
        fromQueue,
      },
    })
    const workspaceId = this.workspaceOf(boardId)
    this.deps.audit.record({
      action: 'lock.granted',
      actor: holder,
      workspaceId,
      target: lock.key,
      data: { fencingToken: lock.fencingToken, fromQueue },
    })
    if (fromQueue && workspaceId) {
      // The waiter asked to be told (L6): a stored notification, pushed live if online.
      this.deps.notifier.notify(workspaceId, {
        userId: holder.id,
        type: 'lock.granted',
        actor: SYSTEM_ACTOR,
        boardId,
        data: { key: lock.key, fencingToken: lock.fencingToken, expiresAt: lock.expiresAt },
      })
    }
  }

  released(lock: Lock, boardId: string, reason: ReleaseReason, by: LockHolder): void {
    const holder = pick(lock.holder)
    const workspaceId = this.workspaceOf(boardId)
    if (reason === 'expired') {
      this.deps.bus.emit('lock.expired', {
        actor: SYSTEM_ACTOR,
        boardId,
        data: { key: lock.key, holder },
      })
    } else {
      const actor: Actor = reason === 'session' ? SYSTEM_ACTOR : pick(by)
      this.deps.bus.emit('lock.released', {
        actor,
        boardId,
        data: { key: lock.key, holder, reason },
      })
    }
    const action = {
      released: 'lock.released',
      expired: 'lock.expired',
      forced: 'lock.force_released',
      session: 'lock.session_ended',
      membership: 'lock.membership_ended',
    } as const
    this.deps.audit.record({
      action: action[reason],
      actor: reason === 'forced' || reason === 'membership' ? pick(by) : holder,
      workspaceId,
      target: lock.key,
      data: { holder },
    })
    if (reason === 'forced' && workspaceId) {
      this.deps.notifier.notify(workspaceId, {
        userId: holder.id,
        type: 'lock.revoked',
        actor: pick(by),
        boardId,
        data: { key: lock.key },
      })
    }
  }

  queued(
    key: string,
    boardId: string,
    waiter: LockHolder,
    holder: LockHolder,
    position: number,
  ): void {
    this.deps.bus.emit('lock.queued', {
      actor: pick(waiter),
      boardId,
      data: { key, holder: pick(holder), waiter: pick(waiter), position },
    })
    this.deps.audit.record({
      action: 'lock.queued',
      actor: pick(waiter),
      workspaceId: this.workspaceOf(boardId),
      target: key,
      data: { position },
    })
  }

  refused(key: string, boardId: string, who: LockHolder, holder: LockHolder): void {
    this.deps.bus.emit('lock.refused', {
      actor: pick(who),
      boardId,
      data: { key, holder: pick(holder), requester: pick(who) },
    })
    this.deps.audit.record({
      action: 'lock.refused',
      actor: pick(who),
      workspaceId: this.workspaceOf(boardId),
      target: key,
      data: { holder: pick(holder) },
    })
  }
}

/** Only id and name go into events (a User also carries its color). */
const pick = (who: LockHolder): Actor => ({ id: who.id, name: who.name })
