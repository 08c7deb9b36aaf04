/**
 * Whether the board store can write, as its commits tell. A failed commit marks the store
 * failing; the next commit or probe write that succeeds clears it. While failing, new document
 * sockets are refused with 4503 for a back-off window that doubles with each failure (1 s up
 * to 30 s), so writers retry slowly instead of reconnecting in a tight loop, and readiness
 * names the problem. Stored updates that no longer apply (a corrupt row) are counted here too:
 * they do not stop serving, but an operator must hear of them.
 */

export interface StoreFailure {
  /** Wall-clock ms of the first failure in this run of failures. */
  since: number
  message: string
  failures: number
}

const MIN_BACKOFF_MS = 1000
const MAX_BACKOFF_MS = 30_000

export class StoreHealth {
  private failure: (StoreFailure & { retryAt: number }) | null = null
  private readonly corrupt = new Map<string, number>()
  private skippedRows = 0

  constructor(
    private readonly monotonic: () => number = () => performance.now(),
    private readonly wall: () => number = Date.now,
  ) {}

  committed(): void {
    this.failure = null
  }

  failed(error: unknown): void {
    const failures = (this.failure?.failures ?? 0) + 1
    const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (failures - 1))
    this.failure = {
      since: this.failure?.since ?? this.wall(),
      message: describeStorageError(error),
      failures,
      retryAt: this.monotonic() + backoff,
    }
  }

  get failing(): StoreFailure | null {
    if (!this.failure) return null
    const { since, message, failures } = this.failure
    return { since, message, failures }
  }

  /** Within the back-off window after a failure: new writers are turned away. */
  get refusing(): boolean {
    return this.failure !== null && this.monotonic() < this.failure.retryAt
  }

  /** Failing and past the back-off window: time to try a write again. */
  get dueForRetry(): boolean {
    return this.failure !== null && this.monotonic() >= this.failure.retryAt
  }

  /** A board's stored update did not apply when it was loaded (it was skipped). */
  skippedRow(boardId: string): void {
    this.skippedRows++
    this.corrupt.set(boardId, (this.corrupt.get(boardId) ?? 0) + 1)
  }

  get skippedRowCount(): number {
    return this.skippedRows
  }

  problems(): string[] {
    const failure = this.failing
    if (!failure) return []
    const since = new Date(failure.since).toISOString()
    return [`storage is failing since ${since} (${failure.failures}×): ${failure.message}`]
  }

  warnings(): string[] {
    return [...this.corrupt].map(
      ([boardId, rows]) =>
        `board ${boardId}: ${rows} stored update${rows === 1 ? '' : 's'} could not be applied and ${rows === 1 ? 'was' : 'were'} skipped (see the log)`,
    )
  }
}

/** SQLite's own codes for "cannot write now": a full disk, an I/O error, a read-only file. */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|CORRUPT|NOTADB)/

/** Whether an error means the store cannot do its work (rather than a bug or bad input). */
export function isStorageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && STORAGE_CODES.test(code)
}

function describeStorageError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' ? `${code}: ${message}` : message
}
