/**
 * Live events in sequence across nodes. Each node delivers the events it commits at once and
 * hears of the others' over Redis, so a stream's events can reach a node out of order (seq 7
 * from here before seq 6 from another node). A live session drops what is not newer than what
 * it already has (live/session.ts), so an event arriving late would be lost to it. This keeps
 * one cursor per stream and delivers strictly in order: an event past a gap first waits for
 * the log to fill the gap — PostgreSQL makes seq k visible only once every seq below it is
 * (cluster/pg/event-log.ts), and news is published after commit — so a gap is read, never
 * guessed. A stream is first seen mid-way: the window before it is read too, and sessions drop
 * what they have.
 */
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { EventListener } from '../events/bus.ts'
import type { StoredEvent } from '../events/event-store.ts'

/** Events before the first one seen that are read again, in case their news is still on its way. */
const FIRST_WINDOW = 50
/**
 * A stream quiet this long loses its cursor (every node sees every stream of the cluster, so
 * cursors would otherwise pile up for good); seen again, it starts as a stream first seen.
 */
const FORGET_AFTER_MS = 10 * 60_000

interface Cursor {
  last: number
  /** Deliveries of this stream, one after another. */
  chain: Promise<void>
  /** When an event of the stream last arrived (performance.now()). */
  seen: number
}

export class EventOrder {
  private readonly cursors = new Map<string, Cursor>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    /** Events of `stream` after `afterSeq`, at most `limit`, in order (the durable log). */
    private readonly read: (
      stream: string,
      afterSeq: number,
      limit: number,
    ) => Promise<StoredEvent[]>,
    private readonly failed: (error: unknown) => void,
  ) {
    this.sweeper = setInterval(() => this.forgetQuiet(performance.now()), FORGET_AFTER_MS / 10)
    this.sweeper.unref()
  }

  push(stream: string, seq: number, event: LoupeEvent, deliver: EventListener): void {
    let cursor = this.cursors.get(stream)
    if (!cursor) {
      cursor = { last: Math.max(0, seq - 1 - FIRST_WINDOW), chain: Promise.resolve(), seen: 0 }
      this.cursors.set(stream, cursor)
    }
    const at = cursor
    at.seen = performance.now()
    // In order and nothing pending: at once, in this turn (as on one node).
    if (seq === at.last + 1 && this.idle.has(at)) {
      at.last = seq
      deliver(stream, seq, event)
      return
    }
    this.idle.delete(at)
    at.chain = at.chain
      .then(async () => {
        if (seq <= at.last) return
        if (seq > at.last + 1) {
          for (const stored of await this.read(stream, at.last, seq - at.last - 1)) {
            if (stored.seq <= at.last || stored.seq >= seq) continue
            at.last = stored.seq
            deliver(stream, stored.seq, stored.event)
          }
        }
        if (seq <= at.last) return
        at.last = seq
        deliver(stream, seq, event)
      })
      .catch(this.failed)
      .finally(() => {
        if (this.cursors.get(stream) === at && at.chain === chained) this.idle.add(at)
      })
    const chained = at.chain
  }

  /** Cursors with nothing in flight. */
  private readonly idle = new WeakSet<Cursor>()

  /** Drops the cursors of streams quiet for FORGET_AFTER_MS with nothing in flight. */
  forgetQuiet(now: number, quietMs = FORGET_AFTER_MS): void {
    for (const [stream, cursor] of this.cursors)
      if (this.idle.has(cursor) && now - cursor.seen >= quietMs) this.cursors.delete(stream)
  }

  /** How many streams have a cursor (for tests). */
  get size(): number {
    return this.cursors.size
  }

  stop(): void {
    clearInterval(this.sweeper)
  }
}
