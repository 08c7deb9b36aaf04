import { afterEach, describe, expect, it } from 'vitest'
import {
  createTestDatabase,
  testPostgres,
  type TestDatabase,
} from '../../../test/cluster/postgres.ts'
import { openDb } from '../../db/open.ts'
import { migrate, schemaVersion, SchemaTooNewError } from './migrations.ts'
import { PgPool } from './pool.ts'
import { pgMigrations } from './schema.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL migrations', () => {
  const opened: Array<PgPool | TestDatabase> = []
  afterEach(async () => {
    for (const item of opened.splice(0).reverse())
      await (item instanceof PgPool ? item.close() : item.drop())
  })

  /** A fresh, empty database and `count` pools on it (nodes about to start). */
  async function fresh(count = 1): Promise<PgPool[]> {
    if (!postgres) throw new Error('no PostgreSQL')
    const database = await createTestDatabase(postgres)
    opened.push(database)
    return Array.from({ length: count }, () => {
      const pool = new PgPool({ url: database.url, max: 2 })
      opened.push(pool)
      return pool
    })
  }

  const applied = async (pool: PgPool) =>
    (
      await pool.query<{ version: number; applied_by: string }>(
        'SELECT version, applied_by FROM loupe_migrations ORDER BY version',
      )
    ).rows

  it('[M1] applies every step to an empty database, once, recording which node did', async () => {
    const [pool] = (await fresh()) as [PgPool]
    expect(await schemaVersion(pool)).toBe(0)
    expect(await migrate(pool, { nodeId: 'n1' })).toEqual({ from: 0, to: pgMigrations.length })
    expect(await migrate(pool, { nodeId: 'n2' })).toEqual({
      from: pgMigrations.length,
      to: pgMigrations.length,
    })
    expect(await schemaVersion(pool)).toBe(pgMigrations.length)
    expect(await applied(pool)).toEqual(
      pgMigrations.map((_, i) => ({ version: i + 1, applied_by: 'n1' })),
    )
  })

  it('[M2] nodes starting together apply each step exactly once, and all start', async () => {
    const pools = await fresh(5)
    const results = await Promise.all(pools.map((pool, i) => migrate(pool, { nodeId: `n${i}` })))
    expect(results.filter((r) => r.from === 0)).toHaveLength(1)
    expect(results.every((r) => r.to === pgMigrations.length)).toBe(true)
    const rows = await applied(pools[0] as PgPool)
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((_, i) => i + 1))
    expect(new Set(rows.map((r) => r.applied_by)).size).toBe(1)
  })

  it('[M3] a failing step is rolled back whole, version included, and applies once fixed', async () => {
    const [pool] = (await fresh()) as [PgPool]
    const good = 'CREATE TABLE first_table (x int)'
    // The step itself succeeds; recording its version fails (a trigger it adds refuses it).
    const bad = `CREATE TABLE second_table (x int);
      CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN RAISE EXCEPTION 'version refused'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON loupe_migrations EXECUTE FUNCTION refuse()`
    await expect(migrate(pool, { nodeId: 'n1', steps: [good, bad] })).rejects.toThrow(
      /migration 2 failed and was rolled back: version refused/,
    )
    expect(await schemaVersion(pool)).toBe(1)
    const tables = async () =>
      (
        await pool.query<{ name: string }>(
          `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '%_table' ORDER BY 1`,
        )
      ).rows.map((r) => r.name)
    expect(await tables()).toEqual(['first_table'])
    await migrate(pool, { nodeId: 'n1', steps: [good, 'CREATE TABLE second_table (x int)'] })
    expect(await tables()).toEqual(['first_table', 'second_table'])
    expect(await schemaVersion(pool)).toBe(2)
  })

  it('[M4] refuses a database migrated by a newer Loupe', async () => {
    const [pool] = (await fresh()) as [PgPool]
    await migrate(pool, { nodeId: 'new', steps: ['SELECT 1', 'SELECT 2'] })
    await expect(migrate(pool, { nodeId: 'old', steps: ['SELECT 1'] })).rejects.toThrow(
      SchemaTooNewError,
    )
  })

  it('[M5] has a table and column for everything the SQLite schema keeps', async () => {
    const [pool] = (await fresh()) as [PgPool]
    await migrate(pool, { nodeId: 'n1' })
    const sqlite = openDb(':memory:', { sync: 'normal' })
    // Kept elsewhere in cluster mode: FTS5's shadow tables (a tsvector column instead), and
    // the lock table and queues (Redis, rebuilt from lock_journal; tokens in lock_fence).
    const elsewhere = /^(search_text.*|sqlite_.*|locks|lock_waiters|lock_fences)$/
    const tables = sqlite
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name)
      .filter((name) => !elsewhere.test(name))
    const { rows } = await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = current_schema()`,
    )
    const inPg = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`))
    const missing = tables.flatMap((table) =>
      sqlite
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
        .all()
        .map((column) => `${table}.${column.name}`)
        .filter((column) => !inPg.has(column)),
    )
    expect(tables.length).toBeGreaterThan(15)
    expect(missing).toEqual([])
    sqlite.close()
  })
})
