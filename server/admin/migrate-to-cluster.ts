/**
 * `npm run admin -- migrate-to-cluster`: moves a single-machine deployment (the SQLite file and
 * the media folder of LOUPE_DATA_DIR) into the cluster's PostgreSQL (LOUPE_DATABASE_URL) and
 * media folder (LOUPE_MEDIA_DIR), so a home install can grow into a cluster with nothing lost
 * (docs/cluster.md, "Moving a home deployment"). Run it once, with the server stopped, into a
 * database no node has written yet: it refuses one that holds users or boards.
 *
 * Every table the two schemas share is copied row for row in one PostgreSQL transaction (all
 * or nothing), in the SQLite file's order, with the columns SQLite has; what exists only in
 * cluster mode starts from the data: each board's `update_seq` is its last update, its epoch 0
 * (the first node to serve it takes epoch 1). Locks live in Redis in cluster mode: each held
 * lock is journaled as granted (Redis restores it from the journal, lock-rebuild.ts, with its
 * holder, token and expiry; a lock of a live session is freed when that session does not come
 * back) and each key's highest token goes to lock_fence, so tokens keep growing; queues are
 * not carried (their waiters' sessions ended with the server). The search index is not copied:
 * nodes index the boards they find behind at start.
 */
import { cpSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import { migrate } from '../cluster/pg/migrations.ts'
import { PgPool, type Tx } from '../cluster/pg/pool.ts'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { AdminError } from './errors.ts'

/** SQLite tables kept otherwise in cluster mode (see above), or scratch. */
const NOT_COPIED = /^(search_.*|sqlite_.*|locks|lock_waiters|lock_fences|store_probe)$/
/** Parents before children (PostgreSQL checks foreign keys row by row). */
const FIRST = ['users', 'workspaces', 'members', 'boards']

export interface MigrationReport {
  rows: Record<string, number>
  locks: number
  mediaFiles: boolean
}

export async function migrateToCluster(config: Config): Promise<MigrationReport> {
  const cluster = config.cluster
  if (!cluster)
    throw new AdminError(
      'migrate-to-cluster needs LOUPE_DATABASE_URL and LOUPE_REDIS_URL (the cluster to move into)',
    )
  const file = join(config.dataDir, 'loupe.db')
  if (!existsSync(file))
    throw new AdminError(`no database at ${file} (check LOUPE_DATA_DIR): nothing to migrate`)
  const sqlite = openDb(file, { sync: config.syncMode })
  const pool = new PgPool({ url: cluster.databaseUrl, applicationName: 'loupe migrate' })
  try {
    await migrate(pool, { nodeId: 'migrate-to-cluster' })
    const report = await pool.transaction((tx) => copy(sqlite, tx))
    report.mediaFiles = copyMedia(config)
    return report
  } finally {
    closeDb(sqlite)
    await pool.close()
  }
}

async function copy(sqlite: Db, tx: Tx): Promise<MigrationReport> {
  const held = await tx.query<{ n: number }>(
    'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM boards) AS n',
  )
  if ((held.rows[0]?.n ?? 0) > 0)
    throw new AdminError(
      'the PostgreSQL database already holds users or boards: migrate into an empty one',
    )
  const types = new Map<string, string>()
  for (const row of (
    await tx.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = current_schema()`,
    )
  ).rows)
    types.set(`${row.table_name}.${row.column_name}`, row.data_type)

  const tables = sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((t) => t.name)
    .filter((name) => !NOT_COPIED.test(name))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
  const rows: Record<string, number> = {}
  for (const table of tables) {
    const columns = sqlite
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
      .all()
      .map((c) => c.name)
    const missing = columns.filter((c) => !types.has(`${table}.${c}`))
    if (missing.length > 0)
      throw new AdminError(`PostgreSQL has no column for ${table}.${missing.join(', ')}`)
    const extra = table === 'doc_updates' ? ['epoch'] : []
    const all = [...columns, ...extra]
    const insert = `INSERT INTO ${table} (${all.map((c) => `"${c}"`).join(', ')}) VALUES `
    let batch: unknown[][] = []
    let count = 0
    const flush = async () => {
      if (batch.length === 0) return
      const values: unknown[] = []
      const tuples = batch.map((row) => {
        const start = values.length
        values.push(...row)
        return `(${row.map((_, i) => `$${start + i + 1}`).join(', ')})`
      })
      await tx.query(insert + tuples.join(', '), values)
      count += batch.length
      batch = []
    }
    // rowid order is insertion order, which PostgreSQL's serial columns then keep.
    const order = hasRowid(sqlite, table) ? ' ORDER BY rowid' : ''
    for (const row of sqlite
      .prepare<[], Record<string, unknown>>(`SELECT * FROM "${table}"${order}`)
      .iterate()) {
      batch.push([
        ...columns.map((c) => value(row[c], types.get(`${table}.${c}`) as string)),
        ...extra.map(() => 0),
      ])
      if (batch.length * all.length >= 5000) await flush()
    }
    await flush()
    rows[table] = count
  }
  // What cluster mode keeps beside the shared data.
  await tx.query(
    `UPDATE boards b SET update_seq = greatest(
       coalesce((SELECT max(seq) FROM doc_updates u WHERE u.board_id = b.id), 0),
       coalesce((SELECT upto_seq FROM doc_snapshots s WHERE s.board_id = b.id), 0))`,
  )
  for (const [table, column] of [['audit', 'id']] as const)
    await tx.query(
      `SELECT setval(pg_get_serial_sequence('${table}', '${column}'),
         greatest((SELECT max(${column}) FROM ${table}), 1))`,
    )
  return { rows, locks: await copyLocks(sqlite, tx), mediaFiles: false }
}

function rank(table: string): number {
  const at = FIRST.indexOf(table)
  return at === -1 ? FIRST.length : at
}

function hasRowid(sqlite: Db, table: string): boolean {
  const sql =
    sqlite
      .prepare<[string], { sql: string }>('SELECT sql FROM sqlite_master WHERE name = ?')
      .get(table)?.sql ?? ''
  return !/WITHOUT ROWID/i.test(sql)
}

function value(raw: unknown, type: string): unknown {
  if (raw === null || raw === undefined) return null
  if (type === 'boolean') return Number(raw) !== 0
  if (typeof raw === 'bigint') return Number(raw)
  return raw
}

interface HeldLock {
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

/** Held locks journaled as granted; every key's highest token fenced. */
async function copyLocks(sqlite: Db, tx: Tx): Promise<number> {
  const now = Date.now()
  const fences = sqlite
    .prepare<[], { key: string; last_token: number }>('SELECT key, last_token FROM lock_fences')
    .all()
  for (const fence of fences)
    await tx.query('INSERT INTO lock_fence (lock_key, max_token) VALUES ($1, $2)', [
      fence.key,
      fence.last_token,
    ])
  const held = sqlite.prepare<[], HeldLock>('SELECT * FROM locks').all()
  for (const lock of held) {
    await tx.query(
      `INSERT INTO lock_journal (lock_key, token, kind, board_id, holder_id, holder_name,
         session_id, request_id, acquired_at, expires_at, ttl_ms, reason, at)
       VALUES ($1, $2, 'granted', $3, $4, $5, $6, NULL, $7, $8, $9, 'migrated', $10)`,
      [
        lock.key,
        lock.fencing_token,
        lock.board_id,
        lock.holder_id,
        lock.holder_name,
        lock.session_id,
        lock.acquired_at,
        lock.expires_at,
        lock.ttl_ms,
        now,
      ],
    )
    await tx.query(
      `INSERT INTO lock_fence (lock_key, max_token) VALUES ($1, $2)
       ON CONFLICT (lock_key) DO UPDATE SET max_token = greatest(lock_fence.max_token, excluded.max_token)`,
      [lock.key, lock.fencing_token],
    )
  }
  return held.length
}

/** The media files, into the cluster's media folder when it is another one. */
function copyMedia(config: Config): boolean {
  const from = join(config.dataDir, 'media')
  const to = config.mediaDir ?? from
  if (!existsSync(from) || to === from) return false
  cpSync(from, to, { recursive: true, force: false, errorOnExist: false })
  return true
}
