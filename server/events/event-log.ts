/**
 * The durable event log: per stream, a gap-free sequence assigned in the same SQLite
 * transaction that stores the event, an epoch that changes only if the log is reset, and
 * retention by age and count that moves the stream's first kept sequence forward.
 */
import { randomUUID } from 'node:crypto'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { Db } from '../db/open.ts'
import { toStoredEvent, type EventRow } from '../storage/rows.ts'

export interface StreamInfo {
  epoch: string
  lastSeq: number
  /** The oldest sequence still kept; a reader after anything older has missed events. */
  firstSeq: number
}

export interface StoredEvent {
  seq: number
  event: LoupeEvent
}

export interface Retention {
  maxAgeMs: number
  maxPerStream: number
}

export class EventLog {
  private readonly stmts
  private readonly appendTx: (stream: string, event: LoupeEvent) => { seq: number; epoch: string }

  constructor(private readonly db: Db) {
    this.stmts = {
      stream: db.prepare<[string], { epoch: string; last_seq: number; first_seq: number }>(
        'SELECT epoch, last_seq, first_seq FROM event_streams WHERE stream = ?',
      ),
      createStream: db.prepare<[string, string]>(
        'INSERT INTO event_streams (stream, epoch, last_seq, first_seq) VALUES (?, ?, 0, 1)',
      ),
      bump: db.prepare<[number, string]>('UPDATE event_streams SET last_seq = ? WHERE stream = ?'),
      insert: db.prepare<[string, number, string, number, string, string, string | null, string]>(
        `INSERT INTO events (stream, seq, type, ts, actor_id, actor_name, board_id, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      after: db.prepare<[string, number, number], EventRow>(
        'SELECT seq, type, ts, actor_id, actor_name, board_id, data FROM events WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      streams: db.prepare<[], { stream: string; last_seq: number; first_seq: number }>(
        'SELECT stream, last_seq, first_seq FROM event_streams',
      ),
      pruneOld: db.prepare<[string, number, number]>(
        'DELETE FROM events WHERE stream = ? AND seq < ? AND ts < ?',
      ),
      oldestKept: db.prepare<[string], { seq: number | null }>(
        'SELECT MIN(seq) AS seq FROM events WHERE stream = ?',
      ),
      pruneBelow: db.prepare<[string, number]>('DELETE FROM events WHERE stream = ? AND seq < ?'),
      setFirst: db.prepare<[number, string]>(
        'UPDATE event_streams SET first_seq = ? WHERE stream = ?',
      ),
    }
    this.appendTx = db.transaction((stream: string, event: LoupeEvent) => {
      const info = this.ensure(stream)
      const seq = info.lastSeq + 1
      this.stmts.insert.run(
        stream,
        seq,
        event.type,
        event.ts,
        event.actor.id,
        event.actor.name,
        event.boardId ?? null,
        JSON.stringify(event.data),
      )
      this.stmts.bump.run(seq, stream)
      return { seq, epoch: info.epoch }
    })
  }

  private ensure(stream: string): StreamInfo {
    const row = this.stmts.stream.get(stream)
    if (row) return { epoch: row.epoch, lastSeq: row.last_seq, firstSeq: row.first_seq }
    const epoch = randomUUID()
    this.stmts.createStream.run(stream, epoch)
    return { epoch, lastSeq: 0, firstSeq: 1 }
  }

  append(stream: string, event: LoupeEvent): { seq: number; epoch: string } {
    return this.appendTx(stream, event)
  }

  info(stream: string): StreamInfo {
    return this.db.transaction(() => this.ensure(stream))()
  }

  read(stream: string, afterSeq: number, limit: number): StoredEvent[] {
    return this.stmts.after.all(stream, afterSeq, limit).map(toStoredEvent)
  }

  /** Drops events older than the retention (by age, and beyond the count per stream). */
  prune(retention: Retention, now = Date.now()): number {
    let removed = 0
    this.db.transaction(() => {
      for (const { stream, last_seq } of this.stmts.streams.all()) {
        const keepFrom = last_seq - retention.maxPerStream + 1
        removed += this.stmts.pruneBelow.run(stream, keepFrom).changes
        removed += this.stmts.pruneOld.run(stream, last_seq + 1, now - retention.maxAgeMs).changes
        const oldest = this.stmts.oldestKept.get(stream)?.seq ?? last_seq + 1
        this.stmts.setFirst.run(oldest, stream)
      }
    })()
    return removed
  }
}
