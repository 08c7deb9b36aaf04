/** The lock store on the server's SQLite database (tables from db/migrations.ts). */
import type { Db } from '../db/open.ts'
import type { LockStore, StoredLock, StoredWaiter } from './lock-store.ts'

type LockRow = {
  key: string
  board_id: string
  holder_id: string
  holder_name: string
  session_id: string | null
  fencing_token: number
  acquired_at: number
  expires_at: number
  ttl_ms: number
}

type WaiterRow = {
  key: string
  position: number
  user_id: string
  user_name: string
  session_id: string | null
  ttl_ms: number
  queued_at: number
}

export class SqliteLockStore implements LockStore {
  private readonly stmts
  /** One transaction function for every call (better-sqlite3 builds four per `transaction`). */
  private readonly inTransaction

  constructor(db: Db) {
    this.inTransaction = db.transaction((work: () => unknown) => work())
    this.stmts = {
      nextToken: db.prepare<[key: string], { last_token: number }>(
        `INSERT INTO lock_fences (key, last_token) VALUES (?, 1)
         ON CONFLICT (key) DO UPDATE SET last_token = last_token + 1 RETURNING last_token`,
      ),
      upsert: db.prepare<LockRow>(
        `INSERT INTO locks (key, board_id, holder_id, holder_name, session_id, fencing_token, acquired_at, expires_at, ttl_ms)
         VALUES (@key, @board_id, @holder_id, @holder_name, @session_id, @fencing_token, @acquired_at, @expires_at, @ttl_ms)
         ON CONFLICT (key) DO UPDATE SET holder_id = excluded.holder_id, holder_name = excluded.holder_name,
           session_id = excluded.session_id, fencing_token = excluded.fencing_token,
           acquired_at = excluded.acquired_at, expires_at = excluded.expires_at, ttl_ms = excluded.ttl_ms`,
      ),
      remove: db.prepare<[key: string]>('DELETE FROM locks WHERE key = ?'),
      locks: db.prepare<[], LockRow>('SELECT * FROM locks'),
      clearQueue: db.prepare<[key: string]>('DELETE FROM lock_waiters WHERE key = ?'),
      addWaiter: db.prepare<WaiterRow>(
        `INSERT INTO lock_waiters (key, position, user_id, user_name, session_id, ttl_ms, queued_at)
         VALUES (@key, @position, @user_id, @user_name, @session_id, @ttl_ms, @queued_at)`,
      ),
      waiters: db.prepare<[], WaiterRow>('SELECT * FROM lock_waiters ORDER BY key, position'),
    }
  }

  nextToken(key: string): number {
    return (this.stmts.nextToken.get(key) as { last_token: number }).last_token
  }

  save({ lock, boardId, ttlMs }: StoredLock): void {
    this.stmts.upsert.run({
      key: lock.key,
      board_id: boardId,
      holder_id: lock.holder.id,
      holder_name: lock.holder.name,
      session_id: lock.sessionId,
      fencing_token: lock.fencingToken,
      acquired_at: lock.acquiredAt,
      expires_at: lock.expiresAt,
      ttl_ms: ttlMs,
    })
  }

  remove(key: string): void {
    this.stmts.remove.run(key)
  }

  saveQueue(key: string, waiters: readonly StoredWaiter[]): void {
    this.transaction(() => {
      this.stmts.clearQueue.run(key)
      waiters.forEach((w, position) =>
        this.stmts.addWaiter.run({
          key,
          position,
          user_id: w.user.id,
          user_name: w.user.name,
          session_id: w.sessionId,
          ttl_ms: w.ttlMs,
          queued_at: w.queuedAt,
        }),
      )
    })
  }

  loadLocks(): StoredLock[] {
    return this.stmts.locks.all().map((row) => ({
      lock: {
        key: row.key,
        holder: { id: row.holder_id, name: row.holder_name },
        acquiredAt: row.acquired_at,
        expiresAt: row.expires_at,
        fencingToken: row.fencing_token,
        sessionId: row.session_id,
      },
      boardId: row.board_id,
      ttlMs: row.ttl_ms,
    }))
  }

  loadQueues(): Map<string, StoredWaiter[]> {
    const queues = new Map<string, StoredWaiter[]>()
    for (const row of this.stmts.waiters.all()) {
      const queue = queues.get(row.key) ?? []
      queue.push({
        user: { id: row.user_id, name: row.user_name },
        sessionId: row.session_id,
        ttlMs: row.ttl_ms,
        queuedAt: row.queued_at,
      })
      queues.set(row.key, queue)
    }
    return queues
  }

  transaction<T>(work: () => T): T {
    return this.inTransaction(work) as T
  }
}
