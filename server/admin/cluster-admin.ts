/**
 * The operator commands on a cluster (LOUPE_DATABASE_URL and LOUPE_REDIS_URL set, as on the
 * nodes): the same commands as on one machine, on the cluster's PostgreSQL (docs/cluster.md,
 * "Admin commands on a cluster"). commands.ts loads this module with import() only in cluster
 * mode, so a home install never loads `pg` or `ioredis` for its admin commands.
 *
 * - invite, reset-password, export: the same code as on one machine, over PgStores. A password
 *   reset bumps the user's token epoch in PostgreSQL; every node checks the epochs every
 *   LOUPE_TOKEN_CHECK_MS, as a single server checks its file, and closes the user's sockets
 *   (4401), and every request of an older token is refused at once.
 * - compact: under the board's current owner epoch, never taking the board (see compactBoard).
 * - backup: one REPEATABLE READ snapshot copied into a fresh SQLite file, archived in the same
 *   format as one machine's, so either mode restores it.
 * - restore: into an empty database with every node stopped, through migrate-to-cluster's copy.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { Config, ClusterConfig } from '../config.ts'
import { compactBoard } from '../cluster/pg/doc-compaction.ts'
import { migrate } from '../cluster/pg/migrations.ts'
import { PgStores } from '../cluster/pg/pg-stores.ts'
import { PgPool } from '../cluster/pg/pool.ts'
import { globLiteral } from '../cluster/redis/keys.ts'
import { RedisConnection } from '../cluster/redis/connection.ts'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { foldStored, type CompactResult } from '../storage/doc-store.ts'
import { restoreBackup, writeBackup, type BackupManifest, type BackupSources } from './backup.ts'
import { AdminError } from './errors.ts'
import { copyIntoCluster, copyMedia, occupied, type MigrationReport } from './migrate-to-cluster.ts'
import { copyPgToSqlite } from './table-copy.ts'

/** The name the CLI's connections and migrations carry (pg_stat_activity, loupe_migrations). */
const ADMIN = 'loupe admin'

function clusterOf(config: Config): ClusterConfig {
  if (!config.cluster) throw new Error('not in cluster mode')
  return config.cluster
}

/** The cluster's database, its schema brought to this Loupe's as a node does at start. */
async function openPool(config: Config): Promise<PgPool> {
  let pool: PgPool | null = null
  try {
    pool = new PgPool({ url: clusterOf(config).databaseUrl, applicationName: ADMIN })
    await migrate(pool, { nodeId: ADMIN })
    return pool
  } catch (error) {
    await pool?.close()
    // A bad URL, PostgreSQL down, a schema newer than this Loupe: said plainly, exit code 1.
    throw new AdminError(`cannot open the cluster's database: ${(error as Error).message}`)
  }
}

export interface ClusterStores {
  stores: PgStores
  /** Compacts a board beside its owner (below). */
  compact(boardId: string): Promise<CompactResult>
}

export async function openClusterStores(config: Config): Promise<ClusterStores> {
  const pool = await openPool(config)
  const stores = new PgStores(pool, ADMIN)
  return { stores, compact: (boardId) => compactBeside(pool, boardId) }
}

/**
 * Compacts a board whichever node serves it, without taking it over: folded from what is
 * committed, written under the epoch of the board's current owner. The write is what the
 * owner's own compaction does (doc-compaction.ts): in one transaction holding the board row,
 * so it runs between two of the owner's commits, it stores the snapshot only over the one the
 * fold started from and deletes exactly the rows it proved folded; the owner's later updates
 * have higher seqs and stay. A takeover meanwhile (the epoch moved) writes nothing: the new
 * owner is loading the board; the command says so and may be run again. The owner is never
 * fenced off or told anything: its room already holds the same state.
 */
async function compactBeside(pool: PgPool, boardId: string): Promise<CompactResult> {
  const { rows } = await pool.query<{ owner_epoch: number }>(
    'SELECT owner_epoch FROM boards WHERE id = $1',
    [boardId],
  )
  const epoch = rows[0]?.owner_epoch
  if (epoch === undefined) throw new AdminError(`no board ${boardId}`)
  const result = await compactBoard(pool, boardId, epoch, foldStored)
  if (result !== 'fenced') return result
  return {
    compacted: false,
    folded: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    reason: 'a node took the board over meanwhile; run it again',
  }
}

/**
 * The cluster's archive: every shared table read in one REPEATABLE READ, READ ONLY transaction
 * (one consistent snapshot while the nodes keep writing) into a fresh SQLite file, archived
 * with the media folder (LOUPE_MEDIA_DIR) and the signing secret file as one machine's is.
 */
export async function backupCluster(
  config: Config,
  file: string,
  loupeVersion: string,
): Promise<BackupManifest> {
  if (!existsSync(dirname(file))) throw new AdminError(`no folder ${dirname(file)} to write to`)
  const pool = await openPool(config)
  // Beside the target (same file system), private (0700): the copy holds password hashes.
  const staging = mkdtempSync(join(dirname(file), `.${basename(file)}.db.`))
  try {
    const sqlite = openDb(join(staging, 'loupe.db'), { sync: 'normal' })
    try {
      await snapshotIntoSqlite(pool, sqlite)
      return await writeBackup(sqlite, sourcesOf(config), file, loupeVersion)
    } finally {
      closeDb(sqlite)
    }
  } finally {
    rmSync(staging, { recursive: true, force: true })
    await pool.close()
  }
}

/**
 * Every shared table of the cluster's database, as of one moment, into an empty SQLite
 * database: one REPEATABLE READ transaction sees the database as it was at its first
 * statement, whatever the nodes commit while the tables are read one after another.
 */
export async function snapshotIntoSqlite(
  pool: PgPool,
  sqlite: Db,
  copiedTable?: (table: string) => Promise<void>,
): Promise<void> {
  await pool.transaction((tx) => copyPgToSqlite(tx, sqlite, copiedTable), {
    isolation: 'repeatable read',
    readOnly: true,
  })
}

/** A cluster's media folder and its signing secret's file (when LOUPE_JWT_SECRET is not set). */
function sourcesOf(config: Config): BackupSources {
  return {
    mediaDir: config.mediaDir ?? join(config.dataDir, 'media'),
    secretFile: join(config.dataDir, 'jwt-secret'),
  }
}

export interface ClusterRestore {
  manifest: BackupManifest
  report: MigrationReport
  /** Where the archive's signing secret was put, or why it was not. */
  secret: { written: string } | { kept: string } | null
}

/**
 * Restores an archive (of either mode) into the cluster: the database must hold no users or
 * boards, and no node may be running (a running node would keep serving, and leasing, what it
 * had before). The archive is checked whole before anything is written; its database goes in
 * through migrate-to-cluster's copy (one transaction), its media into LOUPE_MEDIA_DIR, its
 * signing secret into the data folder unless one is there. Then the lock generation is ended
 * in Redis, so the first node to start rebuilds the lock table from the restored journal.
 */
export async function restoreIntoCluster(config: Config, file: string): Promise<ClusterRestore> {
  if (!existsSync(file)) throw new AdminError(`no archive at ${file}`)
  const cluster = clusterOf(config)
  const pool = await openPool(config)
  let redis: RedisConnection | null = null
  const unpacked = mkdtempSync(join(tmpdir(), 'loupe-restore-'))
  try {
    const held = await occupied(pool)
    if (held)
      throw new AdminError(
        `refusing to restore into the PostgreSQL database at ${pool.where}: it already holds ` +
          `${held}. Restore only into an empty database: create a new one, point ` +
          'LOUPE_DATABASE_URL at it, and run restore again.',
      )
    redis = await openRedis(cluster)
    const running = await nodesRunning(redis)
    if (running.length > 0)
      throw new AdminError(
        `refusing to restore while nodes are running (${running.join(', ')}): stop every node ` +
          'of the cluster first, then start them after the restore',
      )
    const folder = join(unpacked, 'data')
    const manifest = await restoreBackup(file, folder)
    const report = await copyIntoCluster(join(folder, 'loupe.db'), pool, config.syncMode)
    report.mediaFiles = copyMedia(join(folder, 'media'), sourcesOf(config).mediaDir)
    const secret = placeSecret(join(folder, 'jwt-secret'), sourcesOf(config).secretFile)
    await redis.client.del(redis.keys.gen)
    return { manifest, report, secret }
  } finally {
    rmSync(unpacked, { recursive: true, force: true })
    await redis?.close().catch(() => undefined)
    await pool.close()
  }
}

async function openRedis(cluster: ClusterConfig): Promise<RedisConnection> {
  try {
    return await RedisConnection.open({
      url: cluster.redisUrl,
      prefix: cluster.redisPrefix,
      name: ADMIN,
    })
  } catch (error) {
    throw new AdminError(`cannot reach Redis (LOUPE_REDIS_URL): ${(error as Error).message}`)
  }
}

/** The ids of the nodes registered now (a node's entry lapses within seconds of its end). */
async function nodesRunning(redis: RedisConnection): Promise<string[]> {
  const start = redis.keys.node('')
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.client.scan(
      cursor,
      'MATCH',
      `${globLiteral(start)}*`,
      'COUNT',
      1000,
    )
    cursor = next
    for (const key of keys) found.push(decodeURIComponent(key.slice(start.length)))
  } while (cursor !== '0')
  return found.sort()
}

/** The archive's signing secret into the data folder, unless one is there already. */
function placeSecret(from: string, to: string): ClusterRestore['secret'] {
  if (!existsSync(from)) return null
  if (existsSync(to)) return { kept: to }
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(from, to)
  chmodSync(to, 0o600)
  return { written: to }
}
