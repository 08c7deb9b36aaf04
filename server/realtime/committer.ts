/**
 * Group commit: updates accepted in the same event-loop turn are written in one transaction
 * (one fsync with LOUPE_SYNC=full), and only then handed back for relaying. A board has at
 * most one transaction in flight, so its commit order is its relay order. A store that
 * commits over a network (PostgreSQL) may run a few at once, on different boards: an update
 * then waits for its own round trip, not also for the rest of one already on the way.
 */
import type { DocStore, DocUpdate } from '../storage/doc-store.ts'
import { appendUnfenced, FencedError } from '../storage/fenced.ts'

export interface CommitListener {
  /** Called in commit order once the update is durable, or with the error that lost it. */
  committed(error: Error | null): void
}

interface Queued {
  update: DocUpdate
  listener: CommitListener
}

export interface CommitStats {
  observeCommit(seconds: number, updates: number): void
}

/** Told whether the store can write (see storage/store-health.ts). */
export interface CommitHealth {
  committed(): void
  failed(error: unknown): void
}

export interface CommitterOptions {
  health?: CommitHealth
  /** Where a listener's exception goes: it must not keep the rest of the batch from hearing. */
  listenerFailed?: (error: unknown) => void
  /** Transactions in flight at most, each on boards none of the others holds (default 1). */
  atOnce?: number
}

export class GroupCommitter {
  private queue: Queued[] = []
  private scheduled = false
  /** Boards with a transaction in flight: their next updates wait for it. */
  private readonly busy = new Set<string>()
  private flights = 0
  private idleWaiters: Array<() => void> = []
  private readonly health: CommitHealth | undefined
  private readonly listenerFailed: (error: unknown) => void
  private readonly atOnce: number

  constructor(
    private readonly store: DocStore,
    private readonly stats: CommitStats,
    options: CommitterOptions = {},
  ) {
    this.health = options.health
    this.listenerFailed = options.listenerFailed ?? ((error) => console.error(error))
    this.atOnce = Math.max(1, options.atOnce ?? 1)
  }

  get pending(): number {
    return this.queue.length
  }

  enqueue(update: DocUpdate, listener: CommitListener): void {
    this.queue.push({ update, listener })
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled || this.flights >= this.atOnce) return
    this.scheduled = true
    // setImmediate runs after the I/O callbacks of this turn: every message that arrived
    // together is already queued, so it shares the transaction.
    setImmediate(() => {
      this.scheduled = false
      const batch = this.take()
      if (batch.length === 0) return
      const boards = new Set(batch.map((q) => q.update.boardId))
      for (const boardId of boards) this.busy.add(boardId)
      this.flights++
      void this.flush(batch).finally(() => {
        for (const boardId of boards) this.busy.delete(boardId)
        this.flights--
        if (this.queue.length > 0) this.schedule()
        else if (this.flights === 0) this.notifyIdle()
      })
    })
  }

  /** The queued updates of boards with nothing in flight; the rest keep their places. */
  private take(): Queued[] {
    if (this.busy.size === 0) {
      const batch = this.queue
      this.queue = []
      return batch
    }
    const batch: Queued[] = []
    const waiting: Queued[] = []
    for (const queued of this.queue)
      (this.busy.has(queued.update.boardId) ? waiting : batch).push(queued)
    this.queue = waiting
    return batch
  }

  private async flush(batch: Queued[]): Promise<void> {
    const started = performance.now()
    let error: Error | null = null
    // Cluster mode: boards another node took over are refused by the store and dropped from
    // the batch; the rest commits. A refusal is not a failing store (storage/fenced.ts).
    let fenced: ReadonlySet<string> = new Set()
    try {
      fenced = await appendUnfenced(
        this.store,
        batch.map((q) => q.update),
      )
      this.stats.observeCommit((performance.now() - started) / 1000, batch.length)
      this.health?.committed()
    } catch (cause) {
      error = cause instanceof Error ? cause : new Error(String(cause))
      this.health?.failed(error)
    }
    for (const { update, listener } of batch) {
      try {
        listener.committed(
          error ?? (fenced.has(update.boardId) ? new FencedError([update.boardId]) : null),
        )
      } catch (failure) {
        this.listenerFailed(failure)
      }
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) is committed. */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.flights === 0 && !this.scheduled) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }
}
