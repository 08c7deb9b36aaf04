/**
 * Keeps the search index current (docs/operations.md, "Search"). A board's committed updates
 * mark it dirty; shortly after its edits pause (at most `maxDelayMs` after the first), its
 * text is extracted again from the committed document and the changed rows are written. At
 * start, boards whose index is behind their stored state are indexed in the background, one
 * per event-loop turn.
 *
 * Most edits change no searchable text (a task moved, an annotation drawn): a live board whose
 * text is as this indexer last wrote it from that same document is not written again, and its
 * stored state vector is brought up to date at a clean stop instead. A board left behind by a
 * crash is found by `catchUp` at the next start, as before. In cluster mode that keeps the
 * index from sending PostgreSQL a statement for every pause in every board's edits.
 *
 * Writes after edits run a few at a time (`concurrency`), the rest waiting their turn in the
 * order their boards became due: a node that loads a thousand boards at once must not queue a
 * thousand index writes on the connections its requests share. A write that fails is tried
 * again after a wait that doubles per board (`retryMs` up to `retryMaxMs`). The log says so
 * once when writes start failing, then at most once a minute while they go on failing, and
 * once when a write succeeds again, instead of a line per board per attempt.
 *
 * Extraction walks the whole board: cheap for boards of ordinary size. For very large boards,
 * extracting only the entities a transaction touched, or doing it on a worker, is the next step.
 */
import { createHash } from 'node:crypto'
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { readCommitted, type CommittedSource } from '../history/committed.ts'
import { extractText, type SearchEntry } from './extract.ts'
import type { SearchRepo } from '../storage/search-repo.ts'

interface Dirty {
  since: number
  timer: NodeJS.Timeout
}

/** The entries as one digest: equal exactly when a write would store the same rows. */
function digestOf(entries: readonly SearchEntry[]): string {
  const hash = createHash('sha1')
  for (const e of entries)
    hash.update(`${e.entityType}\u0000${e.entityId}\u0000${e.field}\u0000${e.text}\u0001`)
  return hash.digest('base64')
}

export class SearchIndexer {
  private readonly dirty = new Map<string, Dirty>()
  private readonly running = new Map<string, Promise<void>>()
  /**
   * The digest of what this indexer last wrote from a live document. Keyed by the document, so
   * a board loaded again (here or, in cluster mode, after another node owned it) is written
   * once before anything is skipped.
   */
  private readonly written = new WeakMap<Y.Doc, string>()
  /** Boards whose rows are current but whose stored state vector is older: the newer one. */
  private readonly vectorBehind = new Map<string, Uint8Array>()
  /** Boards due for a write and waiting for one of the `concurrency` turns, oldest first. */
  private readonly due = new Set<string>()
  /** Writes after edits in flight. */
  private active = 0
  /** Failed attempts in a row per board, for its next wait. */
  private readonly retries = new Map<string, number>()
  /** Failed writes since the last one that succeeded, any board. */
  private failing = 0
  private loggedAt = -Infinity
  private stopped = false

  constructor(
    private readonly deps: {
      index: SearchRepo
      source: CommittedSource
      log: Logger
      delayMs?: number
      maxDelayMs?: number
      concurrency?: number
      retryMs?: number
      retryMaxMs?: number
    },
  ) {}

  /** The board's committed state changed. */
  changed(boardId: string): void {
    const { delayMs = 150, maxDelayMs = 2000 } = this.deps
    const since = this.dirty.get(boardId)?.since ?? performance.now()
    this.schedule(boardId, Math.max(0, Math.min(delayMs, since + maxDelayMs - performance.now())))
  }

  private schedule(boardId: string, wait: number): void {
    if (this.stopped) return
    const dirty = this.dirty.get(boardId)
    if (dirty) clearTimeout(dirty.timer)
    const timer = setTimeout(() => this.run(boardId), wait)
    timer.unref()
    this.dirty.set(boardId, { since: dirty?.since ?? performance.now(), timer })
  }

  /** Indexes the board now from its committed state; concurrent calls share the work. */
  reindex(boardId: string): Promise<void> {
    const running = this.running.get(boardId)
    if (running) return running.then(() => this.reindex(boardId))
    const done = this.indexCommitted(boardId).finally(() => this.running.delete(boardId))
    this.running.set(boardId, done)
    return done
  }

  /** The board is due: it gets the next free turn (it reads its committed state then). */
  private run(boardId: string): void {
    this.dirty.delete(boardId)
    this.due.add(boardId)
    this.next()
  }

  private next(): void {
    const { concurrency = 2 } = this.deps
    for (const boardId of this.due) {
      if (this.active >= concurrency) return
      this.due.delete(boardId)
      this.active++
      void this.attempt(boardId).finally(() => {
        this.active--
        this.next()
      })
    }
  }

  private async attempt(boardId: string): Promise<void> {
    try {
      await this.reindex(boardId)
    } catch (error) {
      return this.failed(boardId, error)
    }
    this.retries.delete(boardId)
    if (this.failing === 0) return
    this.deps.log.warn({ failed: this.failing }, 'search indexing works again')
    this.failing = 0
    this.loggedAt = -Infinity
  }

  private failed(boardId: string, error: unknown): void {
    const { retryMs = 1000, retryMaxMs = 30_000 } = this.deps
    const attempts = (this.retries.get(boardId) ?? 0) + 1
    this.retries.set(boardId, attempts)
    const wait = Math.min(retryMaxMs, retryMs * 2 ** Math.min(attempts - 1, 30))
    this.failing++
    const now = performance.now()
    if (now - this.loggedAt >= 60_000) {
      this.loggedAt = now
      this.deps.log.error(
        { err: error, boardId, failed: this.failing, retryInMs: wait },
        'search indexing failed; trying again',
      )
    }
    this.schedule(boardId, wait)
  }

  private async indexCommitted(boardId: string): Promise<void> {
    const room = this.deps.source.rooms.loaded(boardId)
    const live = room?.committedDoc()
    // A busy room is not read from storage (a large board would be rebuilt for nothing):
    // its commit will mark the board dirty again.
    if (room && !live) {
      this.deps.log.debug({ boardId }, 'search indexing deferred: commits pending')
      return this.changed(boardId)
    }
    // Read in this same turn, so from `live` when there is one.
    const { entries, vector } = await readCommitted(this.deps.source, boardId, (doc) => ({
      entries: extractText(doc, boardId),
      vector: Y.encodeStateVector(doc),
    }))
    const digest = live ? digestOf(entries) : null
    if (live && this.written.get(live) === digest) {
      this.vectorBehind.set(boardId, vector)
      return
    }
    await this.deps.index.replaceBoard(boardId, entries, vector)
    this.vectorBehind.delete(boardId)
    if (live && digest) this.written.set(live, digest)
  }

  /**
   * Indexes the boards whose rows are behind their stored state: never indexed, a different
   * state vector, or updates stored after the last fold (a crash may have come between their
   * commit and their indexing, and a deletion does not show in a state vector).
   */
  async catchUp(boardIds: readonly string[]): Promise<number> {
    let indexed = 0
    for (const boardId of boardIds) {
      if (this.stopped) break
      await new Promise((resolve) => setImmediate(resolve))
      try {
        if (await this.isCurrent(boardId)) continue
        await this.reindex(boardId)
        indexed++
      } catch (error) {
        this.deps.log.error({ err: error, boardId }, 'search catch-up failed for a board')
      }
    }
    return indexed
  }

  private async isCurrent(boardId: string): Promise<boolean> {
    const indexed = await this.deps.index.indexedVector(boardId)
    if (!indexed) return false
    const { store } = this.deps.source
    const folded = await store.foldedStateVector?.(boardId)
    if (!folded) return false
    return Buffer.compare(Buffer.from(folded), Buffer.from(indexed)) === 0
  }

  /**
   * Indexes what is dirty now, stores the state vectors left behind, and stops (a clean stop):
   * the next start's `catchUp` then finds every board current.
   */
  async stop(): Promise<void> {
    this.stopped = true
    const pending = [...new Set([...this.due, ...this.dirty.keys()])]
    for (const { timer } of this.dirty.values()) clearTimeout(timer)
    this.dirty.clear()
    this.due.clear()
    const { concurrency = 2 } = this.deps
    const turn = async () => {
      for (let boardId; (boardId = pending.shift()) !== undefined;)
        await this.reindex(boardId).catch(() => {})
    }
    await Promise.all(Array.from({ length: concurrency }, turn))
    await Promise.all(this.running.values())
    if (this.vectorBehind.size === 0) return
    try {
      await this.deps.index.saveVectors(this.vectorBehind)
      this.vectorBehind.clear()
    } catch (error) {
      // The next start's catch-up indexes these boards again.
      this.deps.log.error({ err: error }, 'search: storing the state vectors at stop failed')
    }
  }
}
