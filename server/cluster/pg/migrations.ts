/**
 * Runs the PostgreSQL schema steps (schema.ts) at every node's start. Nodes started together
 * must not race: each takes one advisory lock for the whole run, so the first applies what is
 * missing and the others then find nothing to do. Each step runs in one transaction with the
 * row that records it (PostgreSQL's DDL is transactional), so a half-applied step is
 * impossible. A database newer than this code is refused: an older node must not write a
 * schema it does not know.
 */
import type { PgPool } from './pool.ts'
import { pgMigrations } from './schema.ts'

/** pg_advisory_lock's key for migrations: "loupe" and a 1, fixed forever. */
const MIGRATION_LOCK = [0x6c6f7570, 1] as const

export interface MigrationResult {
  /** The schema version found (0: an empty database). */
  from: number
  to: number
}

export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(
      `PostgreSQL schema version ${found} is newer than this Loupe (${known}); upgrade this node`,
    )
    this.name = 'SchemaTooNewError'
  }
}

const VERSIONS_TABLE = `CREATE TABLE IF NOT EXISTS loupe_migrations (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by text NOT NULL
)`

/** The schema version the database is at (0 when never migrated). */
export async function schemaVersion(db: PgPool): Promise<number> {
  const table = await db.query<{ found: string | null }>(
    "SELECT to_regclass('loupe_migrations')::text AS found",
  )
  if (!table.rows[0]?.found) return 0
  const { rows } = await db.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM loupe_migrations',
  )
  return rows[0]?.version ?? 0
}

/** Applies every missing step; `nodeId` is recorded as who applied it. */
export async function migrate(
  db: PgPool,
  options: { nodeId: string; steps?: readonly string[] },
): Promise<MigrationResult> {
  const steps = options.steps ?? pgMigrations
  return db.session(async (client) => {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK])
    try {
      await client.query(VERSIONS_TABLE)
      const found = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM loupe_migrations',
      )
      const from = found.rows[0]?.version ?? 0
      if (from > steps.length) throw new SchemaTooNewError(from, steps.length)
      for (let version = from + 1; version <= steps.length; version++) {
        try {
          await client.query('BEGIN')
          await client.query(steps[version - 1] as string)
          await client.query('INSERT INTO loupe_migrations (version, applied_by) VALUES ($1, $2)', [
            version,
            options.nodeId,
          ])
          await client.query('COMMIT')
        } catch (error) {
          // A failed ROLLBACK means a lost connection, which ends the transaction anyway.
          await client.query('ROLLBACK').catch(() => undefined)
          const message = error instanceof Error ? error.message : String(error)
          throw new Error(
            `PostgreSQL migration ${version} failed and was rolled back: ${message}`,
            {
              cause: error,
            },
          )
        }
      }
      return { from, to: steps.length }
    } finally {
      // Ending the session frees the lock too, so a lost connection loses nothing here.
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK])
        .catch(() => undefined)
    }
  })
}
