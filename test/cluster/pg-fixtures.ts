/**
 * A migrated PostgreSQL database for a suite of cluster-mode storage tests, emptied before
 * each test, and pools standing in for nodes (each pool is one node's connections).
 */
import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest'
import { migrate } from '../../server/cluster/pg/migrations.ts'
import { PgPool } from '../../server/cluster/pg/pool.ts'
import { useTestDatabase, type TestPostgres } from './postgres.ts'

export interface PgSuite {
  readonly url: string
  /** The suite's first pool ("node a"). */
  readonly pool: PgPool
  /** Another node's pool on the same database, closed after the suite. */
  node(name: string): PgPool
}

export function usePgDatabase(postgres: TestPostgres | null): PgSuite {
  const database = useTestDatabase(postgres)
  const pools: PgPool[] = []
  const node = (name: string) => {
    const pool = new PgPool({ url: database.url, max: 4, applicationName: `loupe-test-${name}` })
    pools.push(pool)
    return pool
  }
  let first: PgPool | undefined
  beforeAll(async () => {
    first = node('a')
    await migrate(first, { nodeId: 'a' })
  })
  beforeEach(async () => {
    if (first) await emptyTables(first)
  })
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()))
  })
  return {
    get url() {
      return database.url
    },
    get pool() {
      if (!first) throw new Error('the pool is made in beforeAll')
      return first
    },
    node,
  }
}

/**
 * Every table but the migrations record emptied, sequences restarted: a fresh, migrated
 * database. DELETE in foreign-key order, since TRUNCATE of every table costs ~150 ms a test.
 */
export async function emptyTables(pool: PgPool): Promise<void> {
  const tables = await pool.query<{ name: string }>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables
     WHERE schemaname = current_schema() AND tablename <> 'loupe_migrations'`,
  )
  const references = await pool.query<{ child: string; parent: string }>(
    `SELECT quote_ident(conrelid::regclass::text) AS child, quote_ident(confrelid::regclass::text) AS parent
     FROM pg_constraint WHERE contype = 'f' AND conrelid <> confrelid`,
  )
  const left = new Set(tables.rows.map((row) => row.name))
  const order: string[] = []
  while (left.size > 0) {
    // A table goes once nothing left still references it.
    const free = [...left].filter(
      (table) => !references.rows.some((r) => r.parent === table && left.has(r.child)),
    )
    if (free.length === 0)
      throw new Error(`foreign keys form a cycle among ${[...left].join(', ')}`)
    for (const table of free) {
      left.delete(table)
      order.push(`DELETE FROM ${table}`)
    }
  }
  await pool.query(
    `${order.join('; ')}; SELECT setval(c.oid, 1, false) FROM pg_class c
     WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace`,
  )
}

/** A board row (with the user and workspace it needs), as the directory would create it. */
export async function seedBoard(pool: PgPool, boardId: string, workspaceId = 'w'): Promise<void> {
  const now = Date.now()
  await pool.query(
    `INSERT INTO users (id, name, color, created_at) VALUES ('owner', 'Owner', '#000', $1)
     ON CONFLICT DO NOTHING`,
    [now],
  )
  await pool.query(
    `INSERT INTO workspaces (id, name, created_by, created_at) VALUES ($1, 'W', 'owner', $2)
     ON CONFLICT DO NOTHING`,
    [workspaceId, now],
  )
  await pool.query(
    `INSERT INTO boards (id, workspace_id, title, created_by, created_at, updated_at)
     VALUES ($1, $2, 'Board', 'owner', $3, $3) ON CONFLICT DO NOTHING`,
    [boardId, workspaceId, now],
  )
}

/** Resolves once a connection of the named pool waits for a lock another transaction holds. */
export async function waitingOnLock(pool: PgPool, applicationName: string) {
  await vi.waitFor(
    async () => {
      const waiting = await pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [applicationName],
      )
      expect(waiting.rowCount).toBe(1)
    },
    { timeout: 5000, interval: 20 },
  )
}
