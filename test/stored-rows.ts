/**
 * What a test server stored, read (or tampered with) the same way whichever store it runs on:
 * its SQLite file on one machine, its PostgreSQL database as a cluster node
 * (LOUPE_TEST_CLUSTER). Both schemas use the same table and column names and units
 * (docs/cluster.md, "Tables"), so one statement serves both; `?` placeholders become `$1, $2, …`
 * for PostgreSQL. Keep to SQL both understand (no `rowid`, no `::casts`). Each call opens and
 * closes its own connection, so it works after the server closed too.
 *
 * Numbers come back as numbers on both (PostgreSQL's bigint and count(*) included); blobs and
 * bytea as Buffers. Booleans stay each store's own (0/1 on SQLite).
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Config } from '../server/config.ts'
import type { Stores } from '../server/storage/stores.ts'

export interface StoredRows {
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>
  get<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | undefined>
  /** A statement that writes; resolves with the number of rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>
  /** `SELECT COUNT(*) …` as a number. */
  count(sql: string, ...params: unknown[]): Promise<number>
}

/** The stored rows of a test server (anything with its config: a TestServer). */
export function storedRows(server: { config: Config }): StoredRows {
  const { cluster, dataDir } = server.config
  const query = cluster
    ? (sql: string, params: unknown[]) => pgQuery(cluster.databaseUrl, sql, params)
    : (sql: string, params: unknown[]) => sqliteQuery(join(dataDir, 'loupe.db'), sql, params)
  const rows: StoredRows = {
    all: async <T>(sql: string, ...params: unknown[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, ...params: unknown[]) =>
      (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql, ...params) => (await query(sql, params)).changes,
    async count(sql, ...params) {
      const row = await rows.get(sql, ...params)
      const value = row ? Object.values(row)[0] : undefined
      if (typeof value !== 'number') throw new Error(`not a count: ${sql}`)
      return value
    },
  }
  return rows
}

interface Result {
  rows: Array<Record<string, unknown>>
  changes: number
}

function sqliteQuery(file: string, sql: string, params: unknown[]): Promise<Result> {
  const db = new Database(file, { fileMustExist: true })
  try {
    const statement = db.prepare(sql)
    if (statement.reader)
      return Promise.resolve({ rows: statement.all(...params) as Result['rows'], changes: 0 })
    return Promise.resolve({ rows: [], changes: statement.run(...params).changes })
  } finally {
    db.close()
  }
}

/** `?` → `$n`, outside quoted strings. */
export function numberPlaceholders(sql: string): string {
  let n = 0
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (match) =>
    match === '?' ? `$${++n}` : match,
  )
}

async function pgQuery(url: string, sql: string, params: unknown[]): Promise<Result> {
  const pg = (await import('pg')).default
  // bigint (times, sequences, count(*)) as numbers, as the nodes read them.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === 20
        ? Number
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  }
  const client = new pg.Client({ connectionString: url, types })
  await client.connect()
  try {
    const result = await client.query(numberPlaceholders(sql), params)
    return { rows: result.rows, changes: result.rowCount ?? 0 }
  } finally {
    await client.end()
  }
}

/**
 * The server's own family of stores (storage/stores.ts) over what it stored, for writing
 * through the server's code rather than raw SQL: SqliteStores on its file, or PgStores on its
 * database. Use it after the server closed (SQLite allows one writer).
 */
export async function withServerStores<T>(
  server: { config: Config },
  run: (stores: Stores) => Promise<T>,
): Promise<T> {
  const { cluster, dataDir } = server.config
  let stores: Stores
  if (cluster) {
    const { PgPool } = await import('../server/cluster/pg/pool.ts')
    const { PgStores } = await import('../server/cluster/pg/pg-stores.ts')
    stores = new PgStores(new PgPool({ url: cluster.databaseUrl }), 'test')
  } else {
    const { openDb } = await import('../server/db/open.ts')
    const { SqliteStores } = await import('../server/storage/sqlite-stores.ts')
    stores = new SqliteStores(openDb(join(dataDir, 'loupe.db'), { sync: 'normal' }))
  }
  try {
    return await run(stores)
  } finally {
    await stores.close()
  }
}
