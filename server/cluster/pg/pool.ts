/**
 * One PostgreSQL connection pool per node (cluster mode, docs/cluster.md). Work runs either
 * as one statement (`query`) or in `transaction(work)`: BEGIN, the caller's statements on one
 * connection, COMMIT, or ROLLBACK if anything throws. Errors that mean "PostgreSQL cannot
 * work now" come out as PgUnavailableError; `health()` is what readiness reports as `postgres`.
 *
 * A COMMIT that fails because the connection dropped has an unknown outcome. Callers treat it
 * as failed (nothing relayed, nothing announced): a Yjs update that was in fact stored is
 * harmless when its client sends it again, and an event that was stored reaches subscribers
 * by replay.
 */
import pg from 'pg'
import { describeUrl, isPgUnavailable, PgUnavailableError } from './errors.ts'

/** A connection inside a transaction, or the pool itself: what repositories write through. */
export interface Tx {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>
}

/**
 * Runs `work` atomically: in a new transaction on a pool, or as part of the transaction `db`
 * already is (a repository built over a caller's transaction joins it).
 */
export function atomically<T>(db: PgPool | Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db instanceof PgPool ? db.transaction(work) : work(db)
}

export interface PgPoolOptions {
  /** postgres:// or postgresql:// URL (LOUPE_DATABASE_URL). */
  url: string
  /** Connections at most; a node needs few, since commits are grouped per tick. */
  max?: number
  /** Shown in pg_stat_activity, so an operator sees which node holds which connection. */
  applicationName?: string
  connectTimeoutMs?: number
  /** An idle connection failed (the server restarted); the pool replaces it. */
  onIdleError?: (error: Error) => void
}

export interface TransactionOptions {
  /** `repeatable read` gives every statement of the transaction one snapshot. */
  isolation?: 'read committed' | 'repeatable read' | 'serializable'
  readOnly?: boolean
}

export interface PgHealth {
  state: 'up' | 'down'
  /** Round trip of the check, when up. */
  latencyMs?: number
  /** Why it is down. */
  error?: string
}

/**
 * bigint columns (ms timestamps, sequences, epochs, fencing tokens) as numbers: every value
 * Loupe stores stays below 2^53, and one that did not would be corrupt, so it throws.
 */
function parseInt8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) throw new Error(`bigint ${text} is beyond 2^53`)
  return value
}

const INT8_OID = 20
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

export class PgPool {
  readonly pool: pg.Pool
  /** host:port/database, for messages. */
  readonly where: string

  constructor(options: PgPoolOptions) {
    let url: URL
    try {
      url = new URL(options.url)
    } catch {
      throw new Error('the PostgreSQL URL is not a URL (expected postgres://user@host:5432/db)')
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
      throw new Error(`the PostgreSQL URL must start with postgres://, not ${url.protocol}//`)
    this.where = describeUrl(options.url)
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'loupe',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      keepAlive: true,
      types,
    })
    // Without a listener an idle connection's error would crash the process.
    this.pool.on('error', (error) => options.onIdleError?.(error))
  }

  private fail(error: unknown): never {
    throw isPgUnavailable(error) ? new PgUnavailableError(this.where, error) : error
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values)
    } catch (error) {
      return this.fail(error)
    }
  }

  /**
   * Lends one connection to `work`. A connection that fails while lent (the server ended it
   * between two statements) emits an error no query is there to receive; it is caught here,
   * and the connection destroyed rather than handed to the next caller.
   */
  private async lend<T>(
    work: (client: pg.PoolClient, unusable: (error: Error) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      return this.fail(error)
    }
    let broken: Error | undefined
    const lost = (error: Error) => (broken = error)
    client.on('error', lost)
    try {
      return await work(client, lost)
    } catch (error) {
      if (isPgUnavailable(error))
        broken ??= error instanceof Error ? error : new Error(String(error))
      return this.fail(error)
    } finally {
      client.off('error', lost)
      client.release(broken)
    }
  }

  /** Runs `work` on one connection held for it, outside any transaction (advisory locks). */
  session<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.lend((client) => work(client))
  }

  /** Runs `work` in one transaction on one connection; commits if it resolves. */
  transaction<T>(work: (tx: Tx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const mode = [
      options.isolation ? `ISOLATION LEVEL ${options.isolation.toUpperCase()}` : '',
      options.readOnly ? 'READ ONLY' : '',
    ]
    return this.lend(async (client, unusable) => {
      await client.query(`BEGIN ${mode.join(' ')}`.trim())
      try {
        const result = await work(client)
        await client.query('COMMIT')
        return result
      } catch (error) {
        // A failed ROLLBACK means a lost connection, which ends the transaction anyway; the
        // caller hears of the first error, which says why.
        await client.query('ROLLBACK').catch(unusable)
        throw error
      }
    })
  }

  /** Whether PostgreSQL answers now, within `timeoutMs`. */
  async health(timeoutMs = 2000): Promise<PgHealth> {
    const started = performance.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([this.pool.query('SELECT 1'), timeout])
      return { state: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { state: 'down', error: `PostgreSQL at ${this.where}: ${message}` }
    } finally {
      clearTimeout(timer)
    }
  }

  close(): Promise<void> {
    return this.pool.end()
  }
}
