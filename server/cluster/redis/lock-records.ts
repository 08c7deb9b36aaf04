/**
 * The shapes the `loupe` library stores and replies with (lock-core.lua), and their mapping to
 * the lock service's types and to journal entries. Numbers travel as decimal strings because
 * Redis's cjson keeps only 14 significant digits; tokens and times need up to 16.
 */
import type { Lock, LockHolder } from '../../../shared/protocol/locks.ts'
import type { LockJournalEntry } from '../../locks/lock-journal.ts'
import type { ReleaseReason } from '../../locks/lock-service.ts'

/** A held lock: key, holder, session ('' none), request id ('' none), token, acquired, expires, TTL. */
export interface LockRecord {
  k: string
  h: LockHolder
  s: string
  r: string
  t: string
  a: string
  e: string
  l: string
}

/** A waiter: user, session, TTL it asked for, request id, queued at, ticket, queue member. */
export interface WaiterRecord {
  u: LockHolder
  s: string
  l: string
  r: string
  q: string
  t: string
  m: string
}

export type Change =
  /** replay: a retried acquire handed back a grant made before (journaled again, not reported again). */
  | { k: 'granted'; lock: LockRecord; fromQueue: boolean; replay?: boolean }
  | { k: 'renewed'; lock: LockRecord }
  | {
      k: 'released'
      lock: LockRecord
      reason: ReleaseReason | 'revoked'
      by: LockHolder
      at: string
    }
  | { k: 'queued'; key: string; waiter: WaiterRecord; holder: LockHolder; position: number }
  | { k: 'dequeued'; key: string; waiter: WaiterRecord; reason: string }
  | { k: 'refused'; key: string; who: LockHolder; holder: LockHolder }

export interface Reply {
  r: string
  lock?: LockRecord
  position?: number
  queueLength?: number
  more?: boolean
  now: string
  changes: Change[]
}

/** cjson writes an empty Lua table as `{}`; every list in a reply may arrive that way. */
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : [])

export function parseReply(raw: unknown): Reply {
  const reply = JSON.parse(String(raw)) as Reply
  reply.changes = list<Change>(reply.changes)
  return reply
}

export function parseList(raw: unknown): { locks: LockRecord[]; now: number; version: string } {
  const reply = JSON.parse(String(raw)) as { locks: unknown; now: string; version: string }
  return { locks: list<LockRecord>(reply.locks), now: Number(reply.now), version: reply.version }
}

export function toLock(rec: LockRecord): Lock {
  return {
    key: rec.k,
    holder: { id: rec.h.id, name: rec.h.name },
    acquiredAt: Number(rec.a),
    expiresAt: Number(rec.e),
    fencingToken: Number(rec.t),
    sessionId: rec.s === '' ? null : rec.s,
  }
}

export const boardOf = (key: string) => key.slice(0, key.indexOf('/'))
/** `<entityType>/<entityId>` of a lock key. */
export const entityOf = (key: string) => key.slice(key.indexOf('/') + 1)

function lockEntry(
  kind: 'granted' | 'renewed' | 'released',
  rec: LockRecord,
  at: number,
  reason: string | null,
): LockJournalEntry {
  return {
    kind,
    key: rec.k,
    boardId: boardOf(rec.k),
    token: Number(rec.t),
    holder: { id: rec.h.id, name: rec.h.name },
    sessionId: rec.s === '' ? null : rec.s,
    requestId: rec.r === '' ? null : rec.r,
    acquiredAt: Number(rec.a),
    expiresAt: Number(rec.e),
    ttlMs: Number(rec.l),
    reason,
    at,
  }
}

function waiterEntry(
  kind: 'queued' | 'dequeued',
  key: string,
  w: WaiterRecord,
  at: number,
  reason: string | null,
): LockJournalEntry {
  return {
    kind,
    key,
    boardId: boardOf(key),
    token: Number(w.t),
    holder: { id: w.u.id, name: w.u.name },
    sessionId: w.s === '' ? null : w.s,
    requestId: w.r === '' ? null : w.r,
    acquiredAt: Number(w.q),
    expiresAt: 0,
    ttlMs: Number(w.l),
    reason,
    at,
  }
}

/** What of a reply's changes goes to the journal (refusals change nothing; revoked grants were never journaled). */
export function journalEntries(changes: readonly Change[], now: number): LockJournalEntry[] {
  const entries: LockJournalEntry[] = []
  for (const c of changes) {
    if (c.k === 'granted' || c.k === 'renewed') entries.push(lockEntry(c.k, c.lock, now, null))
    else if (c.k === 'released' && c.reason !== 'revoked')
      entries.push(lockEntry('released', c.lock, Number(c.at), c.reason))
    else if (c.k === 'queued') entries.push(waiterEntry('queued', c.key, c.waiter, now, null))
    else if (c.k === 'dequeued')
      entries.push(waiterEntry('dequeued', c.key, c.waiter, now, c.reason))
  }
  return entries
}

/** The stored record of a journaled lock, for a rebuild. */
export function recordOf(entry: LockJournalEntry): LockRecord {
  return {
    k: entry.key,
    h: entry.holder,
    s: entry.sessionId ?? '',
    r: entry.requestId ?? '',
    t: String(entry.token),
    a: String(entry.acquiredAt),
    e: String(entry.expiresAt),
    l: String(entry.ttlMs),
  }
}

/** The stored record of a journaled waiter, for a rebuild. */
export function waiterOf(entry: LockJournalEntry): WaiterRecord {
  return {
    u: entry.holder,
    s: entry.sessionId ?? '',
    l: String(entry.ttlMs),
    r: entry.requestId ?? '',
    q: String(entry.acquiredAt),
    t: String(entry.token),
    m: entry.sessionId ? `s:${entry.sessionId}` : `u:${entry.holder.id}`,
  }
}
