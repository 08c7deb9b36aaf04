/**
 * Transactions of the SQLite stores over asynchronous repositories (storage/stores.ts).
 *
 * better-sqlite3 runs a transaction as one synchronous callback; an `await` inside it would
 * commit early. Here the repositories of a transaction do their SQL synchronously and return
 * settled promises, so awaiting them only waits for the microtask queue. A transaction
 * therefore runs in one event-loop turn of its own:
 *
 * - it starts in a fresh macrotask (setImmediate), when no other code's microtasks are queued,
 *   then BEGIN IMMEDIATE, the work, COMMIT — so nothing but the work runs between its
 *   statements, and one transaction never sees another's (SQLite has one connection here);
 * - once the microtask queue has drained, the work must have settled. If it has not, it awaited
 *   something else (I/O, a timer, another transaction) and would let other code write into
 *   this transaction: it is rolled back and fails with AwaitedOutsideTransaction;
 * - a repository called from outside the transaction while it runs is refused (it would join
 *   the transaction on SQLite and miss it on PostgreSQL), as is a transaction's repository
 *   called after it ended.
 */
import type { Db } from '../db/open.ts'

export class AwaitedOutsideTransaction extends Error {
  constructor() {
    super(
      'a store transaction awaited something other than its own repositories (I/O, a timer, ' +
        'another transaction) and was rolled back: do that work before or after it',
    )
    this.name = 'AwaitedOutsideTransaction'
  }
}

export class SqliteTransactions {
  private inside = false

  constructor(private readonly db: Db) {}

  /** Refuses a repository call made from outside the transaction that is running. */
  readonly outside = (): void => {
    if (this.inside)
      throw new Error(
        'a repository outside the transaction was used inside store.transaction(): use tx.<repository>',
      )
  }

  /** Runs `work` in one transaction; `alive` throws once the transaction has ended. */
  run<T>(work: (alive: () => void) => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      setImmediate(() => void this.window(work).then(resolve, reject))
    })
  }

  private async window<T>(work: (alive: () => void) => Promise<T>): Promise<T> {
    let ended = false
    const alive = () => {
      if (ended)
        throw new Error('this transaction has ended: its repositories can no longer be used')
    }
    this.db.exec('BEGIN IMMEDIATE')
    this.inside = true
    let settled = false
    // A tick queued from a microtask runs only once the whole microtask queue has drained.
    const drained = new Promise<never>((_, reject) =>
      queueMicrotask(() =>
        process.nextTick(() => {
          if (!settled) reject(new AwaitedOutsideTransaction())
        }),
      ),
    )
    try {
      const outcome = (async () => work(alive))().finally(() => (settled = true))
      const value = await Promise.race([outcome, drained])
      this.db.exec('COMMIT')
      return value
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw error
    } finally {
      ended = true
      this.inside = false
    }
  }
}
