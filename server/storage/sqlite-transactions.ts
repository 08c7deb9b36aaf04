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
 *
 * Transactions asked for in the same event-loop turn share one BEGIN IMMEDIATE … COMMIT, each
 * inside a savepoint of its own: one that fails is rolled back alone, and every one settles
 * once the shared commit is done, so each is as atomic and as durable as on its own. A busy
 * turn (a hundred people taking locks) pays for one commit instead of one each: BEGIN and
 * COMMIT were a fifth of a lock request's CPU, and every commit appends the pages it touched
 * to the WAL again.
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
  /** The turn's control statements, prepared once (exec parses its SQL on every call). */
  private readonly sql

  constructor(private readonly db: Db) {
    const statement = (sql: string) => {
      const prepared = db.prepare(sql)
      return () => void prepared.run()
    }
    this.sql = {
      begin: statement('BEGIN IMMEDIATE'),
      commit: statement('COMMIT'),
      savepoint: statement('SAVEPOINT work'),
      release: statement('RELEASE work'),
      rollbackTo: statement('ROLLBACK TO work'),
    }
  }

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
      if (!this.waiting) {
        this.waiting = []
        setImmediate(() => void this.commitTurn())
      }
      this.waiting.push({ work, resolve, reject } as Waiting)
    })
  }

  /** Transactions asked for since the last turn, run together at the next. */
  private waiting: Waiting[] | null = null

  private async commitTurn(): Promise<void> {
    const batch = this.waiting ?? []
    this.waiting = null
    const settled: Array<() => void> = []
    try {
      this.sql.begin()
      this.inside = true
      // Alone in its turn (most turns when it is quiet), a transaction needs no savepoint:
      // one that fails rolls the whole turn back.
      const alone = batch.length === 1
      for (const { work, resolve, reject } of batch) {
        if (!alone) this.sql.savepoint()
        try {
          const value = await this.window(work)
          if (!alone) this.sql.release()
          settled.push(() => resolve(value))
        } catch (error) {
          if (alone) throw error
          this.sql.rollbackTo()
          this.sql.release()
          settled.push(() => reject(error))
        }
      }
      this.sql.commit()
    } catch (error) {
      // BEGIN or COMMIT failed (storage), or the turn's only work did: nothing of the turn is
      // kept, every one fails.
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      settled.length = 0
      for (const { reject } of batch) settled.push(() => reject(error))
    } finally {
      this.inside = false
    }
    for (const settle of settled) settle()
  }

  /** One transaction's work, inside the turn's: it must settle within the microtask queue. */
  private async window<T>(work: (alive: () => void) => Promise<T>): Promise<T> {
    let ended = false
    const alive = () => {
      if (ended)
        throw new Error('this transaction has ended: its repositories can no longer be used')
    }
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
      return await Promise.race([outcome, drained])
    } finally {
      ended = true
    }
  }
}

interface Waiting {
  work: (alive: () => void) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}
