/**
 * The durable event log in PostgreSQL (cluster mode), with the SQLite log's behaviour
 * (events/event-store.ts). A producer on any node takes the stream's next sequences by
 * updating the stream's counter row in its own transaction: the row lock makes the next
 * producer of that stream wait until this one commits, so seq order is commit order, and
 * when seq k is visible every seq below it is too. Nothing is numbered outside a
 * transaction (a PostgreSQL SEQUENCE would be), so a rolled-back producer leaves no gap.
 */
import type { LoupeEvent } from '../../../shared/protocol/events.ts'
import type { EventStore, Retention, StoredEvent, StreamInfo } from '../../events/event-store.ts'
import { atomically, type PgPool, type Tx } from './pool.ts'
import { toStoredEvent, type EventRow } from '../../storage/rows.ts'

const toInfo = (row: { epoch: string; last_seq: number; first_seq: number }): StreamInfo => ({
  epoch: row.epoch,
  lastSeq: row.last_seq,
  firstSeq: row.first_seq,
})

export class PgEventLog implements EventStore {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  /**
   * Stores `events` as the stream's next sequences inside the caller's transaction (the
   * batch that derived them); they are numbered once it commits, and never if it rolls back.
   */
  async appendIn(
    tx: Tx,
    stream: string,
    events: readonly LoupeEvent[],
  ): Promise<{ seqs: number[]; epoch: string }> {
    if (events.length === 0) return { seqs: [], epoch: (await this.info(stream)).epoch }
    // Creates the stream or takes its row lock; either way `last_seq` is ours until COMMIT.
    const { rows } = await tx.query<{ last_seq: number; epoch: string }>(
      `INSERT INTO event_streams AS s (stream, epoch, last_seq, first_seq)
       VALUES ($1, gen_random_uuid()::text, $2, 1)
       ON CONFLICT (stream) DO UPDATE SET last_seq = s.last_seq + excluded.last_seq
       RETURNING last_seq, epoch`,
      [stream, events.length],
    )
    const { last_seq: last, epoch } = rows[0] as { last_seq: number; epoch: string }
    const seqs = events.map((_, i) => last - events.length + 1 + i)
    await tx.query(
      `INSERT INTO events (stream, seq, type, ts, actor_id, actor_name, board_id, data)
       SELECT $1, v.* FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],
         $7::text[], $8::text[]) AS v`,
      [
        stream,
        seqs,
        events.map((e) => e.type),
        events.map((e) => e.ts),
        events.map((e) => e.actor.id),
        events.map((e) => e.actor.name),
        events.map((e) => e.boardId ?? null),
        events.map((e) => JSON.stringify(e.data)),
      ],
    )
    return { seqs, epoch }
  }

  async append(stream: string, event: LoupeEvent): Promise<{ seq: number; epoch: string }> {
    const { seqs, epoch } = await atomically(this.db, (tx) => this.appendIn(tx, stream, [event]))
    return { seq: seqs[0] as number, epoch }
  }

  async info(stream: string): Promise<StreamInfo> {
    const select = 'SELECT epoch, last_seq, first_seq FROM event_streams WHERE stream = $1'
    const found = await this.db.query<{ epoch: string; last_seq: number; first_seq: number }>(
      select,
      [stream],
    )
    if (found.rows[0]) return toInfo(found.rows[0])
    // Waits for a concurrent creator, so both nodes answer with the one epoch that won.
    await this.db.query(
      `INSERT INTO event_streams (stream, epoch, last_seq, first_seq)
       VALUES ($1, gen_random_uuid()::text, 0, 1) ON CONFLICT (stream) DO NOTHING`,
      [stream],
    )
    const created = await this.db.query<{ epoch: string; last_seq: number; first_seq: number }>(
      select,
      [stream],
    )
    return toInfo(created.rows[0] as { epoch: string; last_seq: number; first_seq: number })
  }

  async read(stream: string, afterSeq: number, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT seq, type, ts, actor_id, actor_name, board_id, data FROM events
       WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [stream, afterSeq, limit],
    )
    return rows.map(toStoredEvent)
  }

  /**
   * Keeps, per stream, the newest `maxPerStream` events and drops those older than `maxAgeMs`
   * from the front only: nodes' clocks differ, so a later seq may carry an earlier ts, and
   * deleting it alone would leave a hole a reader could not tell from a gap. Each stream is
   * pruned in its own short transaction holding its counter row, never several at once, so
   * producers (which may hold several streams) cannot deadlock with it.
   */
  async prune(retention: Retention, now = Date.now()): Promise<number> {
    const cutoff = now - retention.maxAgeMs
    const due = await this.db.query<{ stream: string }>(
      `SELECT s.stream FROM event_streams s
       WHERE s.last_seq - $1 + 1 > s.first_seq
          OR EXISTS (SELECT 1 FROM events e WHERE e.stream = s.stream AND e.seq = s.first_seq
                     AND e.ts < $2)`,
      [retention.maxPerStream, cutoff],
    )
    let removed = 0
    for (const { stream } of due.rows) {
      removed += await atomically(this.db, async (tx) => {
        // Lock first, then look: a statement that waited for the lock would still see the
        // events of its older snapshot, and could count a just-committed event as gone.
        await tx.query('SELECT 1 FROM event_streams WHERE stream = $1 FOR UPDATE', [stream])
        const { rows } = await tx.query<{ keep_from: number }>(
          `SELECT GREATEST(s.first_seq, s.last_seq - $2 + 1,
             COALESCE((SELECT min(e.seq) FROM events e WHERE e.stream = s.stream AND e.ts >= $3),
                      s.last_seq + 1)) AS keep_from
           FROM event_streams s WHERE s.stream = $1`,
          [stream, retention.maxPerStream, cutoff],
        )
        const keepFrom = rows[0]?.keep_from
        if (keepFrom === undefined) return 0
        const deleted = await tx.query('DELETE FROM events WHERE stream = $1 AND seq < $2', [
          stream,
          keepFrom,
        ])
        await tx.query('UPDATE event_streams SET first_seq = $2 WHERE stream = $1', [
          stream,
          keepFrom,
        ])
        return deleted.rowCount ?? 0
      })
    }
    return removed
  }
}
