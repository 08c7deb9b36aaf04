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
import { copySqliteToPg } from './table-copy.ts'

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
  const pool = new PgPool({ url: cluster.databaseUrl, applicationName: 'loupe migrate' })
  try {
    const report = await copyIntoCluster(file, pool, config.syncMode)
    report.mediaFiles = copyMedia(join(config.dataDir, 'media'), config.mediaDir)
    return report
  } finally {
    await pool.close()
  }
}

/**
 * The SQLite database `file` into the cluster's PostgreSQL, in one transaction; refuses a
 * database that holds users or boards. Restoring an archive into a cluster runs this too.
 */
export async function copyIntoCluster(
  file: string,
  pool: PgPool,
  sync: Config['syncMode'],
): Promise<MigrationReport> {
  const sqlite = openDb(file, { sync })
  try {
    await migrate(pool, { nodeId: 'loupe admin' })
    return await pool.transaction((tx) => copy(sqlite, tx))
  } finally {
    closeDb(sqlite)
  }
}

/** What a non-empty cluster database holds, for the refusal; null when it is empty. */
export async function occupied(db: Tx): Promise<string | null> {
  const { rows } = await db.query<{ users: number; boards: number }>(
    'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM boards) AS boards',
  )
  const { users = 0, boards = 0 } = rows[0] ?? {}
  if (users + boards === 0) return null
  return `${users} user${users === 1 ? '' : 's'} and ${boards} board${boards === 1 ? '' : 's'}`
}

async function copy(sqlite: Db, tx: Tx): Promise<MigrationReport> {
  const held = await occupied(tx)
  if (held)
    throw new AdminError(
      `the PostgreSQL database already holds users or boards (${held}): migrate or restore only into an empty one`,
    )
  const rows = await copySqliteToPg(sqlite, tx)
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

/** The media files of `from`, into the cluster's media folder when it is another one. */
export function copyMedia(from: string, mediaDir: string | undefined): boolean {
  const to = mediaDir ?? from
  if (!existsSync(from) || to === from) return false
  cpSync(from, to, { recursive: true, force: false, errorOnExist: false })
  return true
}
