/**
 * Whether the board store can write, as its commits tell. A failed commit marks the store
 * failing; the next commit or probe write that succeeds clears it. While failing, new document
 * sockets are refused with 4503 (stock providers back off after a refused connection, instead
 * of reconnecting in a tight loop) and readiness names the problem. Every refusal and every
 * readiness check asks for a probe write, at most one a second, so the store is found working
 * again within about a second of being fixed, with or without writers about. Stored updates
 * that no longer apply (a corrupt row) are counted here too: they do not stop serving, but an
 * operator must hear of them.
 */

export interface StoreFailure {
  /** Wall-clock ms of the first failure in this run of failures. */
  since: number
  message: string
  failures: number
}

const PROBE_INTERVAL_MS = 1000

export class StoreHealth {
  private failure: StoreFailure | null = null
  private readonly corrupt = new Map<string, number>()
  private skippedRows = 0
  private probing: Promise<void> | null = null
  private probedAt = -Infinity

  constructor(
    /** A small write that fails as a commit would (DocStore.probe). */
    private readonly probe: () => Promise<void> = async () => {},
    private readonly monotonic: () => number = () => performance.now(),
    private readonly wall: () => number = Date.now,
  ) {}

  committed(): void {
    this.failure = null
  }

  failed(error: unknown): void {
    this.failure = {
      since: this.failure?.since ?? this.wall(),
      message: describeStorageError(error),
      failures: (this.failure?.failures ?? 0) + 1,
    }
  }

  get failing(): StoreFailure | null {
    return this.failure && { ...this.failure }
  }

  /** Failing: new writers are turned away (and a probe is asked for). */
  get refusing(): boolean {
    if (!this.failure) return false
    void this.recheck()
    return true
  }

  /** While failing, tries a probe write (at most one a second); resolves when it is done. */
  recheck(): Promise<void> {
    if (!this.failure) return Promise.resolve()
    if (this.probing) return this.probing
    if (this.monotonic() - this.probedAt < PROBE_INTERVAL_MS) return Promise.resolve()
    this.probedAt = this.monotonic()
    this.probing = this.probe()
      .then(
        () => this.committed(),
        (error: unknown) => this.failed(error),
      )
      .finally(() => (this.probing = null))
    return this.probing
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

/**
 * SQLite's own codes for "cannot write now": a full disk, an I/O error, a read-only file; and
 * PostgreSQL unreachable, down, full or read-only (cluster/pg/errors.ts, PgUnavailableError).
 */
const STORAGE_CODES =
  /^(SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|CORRUPT|NOTADB)|POSTGRES_UNAVAILABLE$)/

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
