/**
 * A DocStore that tells others what it has committed. History, search and "since your last
 * visit" follow boards from their committed updates, never from what is only in memory: the
 * observer hears of a batch once its transaction is durable, before the committer hands it
 * back for relaying. Observers only take note (slow work is scheduled) and their failures
 * never fail a commit.
 */
import type { CompactResult, DocStore, DocUpdate, StoredDoc } from './doc-store.ts'

export interface CommitObserver {
  /** The updates are durable. Called synchronously after the transaction. */
  committed(updates: readonly DocUpdate[]): void
  /** The board's log is about to be folded and its rows deleted. */
  beforeCompaction?(boardId: string): Promise<void>
}

export class ObservedDocStore implements DocStore {
  constructor(
    private readonly inner: DocStore,
    private readonly observer: CommitObserver,
    private readonly failed: (error: unknown) => void,
  ) {}

  load(boardId: string): Promise<StoredDoc> {
    return this.inner.load(boardId)
  }

  async append(updates: readonly DocUpdate[]): Promise<void> {
    await this.inner.append(updates)
    try {
      this.observer.committed(updates)
    } catch (error) {
      this.failed(error)
    }
  }

  async compact(boardId: string, fold: (stored: StoredDoc) => Uint8Array): Promise<CompactResult> {
    try {
      await this.observer.beforeCompaction?.(boardId)
    } catch (error) {
      this.failed(error)
    }
    return this.inner.compact(boardId, fold)
  }

  pendingUpdates(boardId: string): Promise<number> {
    return this.inner.pendingUpdates(boardId)
  }

  foldedStateVector(boardId: string): Promise<Uint8Array | null> {
    return this.inner.foldedStateVector?.(boardId) ?? Promise.resolve(null)
  }

  probe(): Promise<void> {
    return this.inner.probe()
  }

  async claim(boardId: string): Promise<void> {
    await this.inner.claim?.(boardId)
  }

  unloaded(boardId: string): void {
    this.inner.unloaded?.(boardId)
  }
}
