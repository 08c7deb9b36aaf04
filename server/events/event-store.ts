/**
 * The durable event log as an asynchronous interface, so a PostgreSQL log (cluster mode) can
 * stand where the SQLite one does. The contract (event-store.contract.ts) is the same for
 * both: per stream, gap-free sequences from 1 assigned in the producing transaction (so seq
 * order is commit order), an epoch that changes only if the log is reset, and retention by
 * age and count that moves the first kept sequence. The SQLite EventLog stays synchronous for
 * its callers; `asyncEventLog` adapts it.
 */
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { EventLog, Retention, StoredEvent, StreamInfo } from './event-log.ts'

export type { Retention, StoredEvent, StreamInfo }

export interface EventStore {
  /** Stores the event as the stream's next sequence; resolves once it is committed. */
  append(stream: string, event: LoupeEvent): Promise<{ seq: number; epoch: string }>
  /** Where the stream stands; a stream never written starts at lastSeq 0, firstSeq 1. */
  info(stream: string): Promise<StreamInfo>
  /** Up to `limit` events after `afterSeq`, in sequence order. */
  read(stream: string, afterSeq: number, limit: number): Promise<StoredEvent[]>
  /** Drops events past the retention; resolves with how many went. */
  prune(retention: Retention, now?: number): Promise<number>
}

/** The SQLite log behind the asynchronous interface: its work is done when the call returns. */
export function asyncEventLog(log: EventLog): EventStore {
  return {
    append: async (stream, event) => log.append(stream, event),
    info: async (stream) => log.info(stream),
    read: async (stream, afterSeq, limit) => log.read(stream, afterSeq, limit),
    prune: async (retention, now) => log.prune(retention, now),
  }
}
