/**
 * Group commit: updates accepted in the same event-loop turn are written in one transaction
 * (one fsync with LOUPE_SYNC=full), and only then handed back for relaying. Flushes run one at
 * a time, so commit order is relay order.
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

export class GroupCommitter {
  private queue: Queued[] = []
  private scheduled = false
  private flushing: Promise<void> | null = null
  private idleWaiters: Array<() => void> = []

  constructor(
    private readonly store: DocStore,
    private readonly stats: CommitStats,
    private readonly health?: CommitHealth,
    /** Where a listener's exception goes: it must not keep the rest of the batch from hearing. */
    private readonly listenerFailed: (error: unknown) => void = (error) => console.error(error),
  ) {}

  get pending(): number {
    return this.queue.length
  }

  enqueue(update: DocUpdate, listener: CommitListener): void {
    this.queue.push({ update, listener })
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return
    this.scheduled = true
    // setImmediate runs after the I/O callbacks of this turn: every message that arrived
    // together is already queued, so it shares the transaction.
    setImmediate(() => {
      this.scheduled = false
      this.flushing = this.flush().finally(() => {
        this.flushing = null
        if (this.queue.length > 0) this.schedule()
        else this.notifyIdle()
      })
    })
  }

  private async flush(): Promise<void> {
    const batch = this.queue
    this.queue = []
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
    if (this.queue.length === 0 && !this.flushing && !this.scheduled) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }
}
