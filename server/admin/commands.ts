/**
 * Operator commands (`npm run admin -- <command>`). On one machine they open the database file
 * directly: SQLite's locking makes that safe beside a running server (WAL readers never block,
 * and a compaction takes the write lock and proves every row it deletes is in the new
 * snapshot). On a cluster (LOUPE_DATABASE_URL and LOUPE_REDIS_URL set, as on the nodes) the
 * same commands work on the cluster's PostgreSQL beside the running nodes (cluster-admin.ts).
 */
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { isRole } from '../../shared/roles.ts'
import { AuthService } from '../auth/service.ts'
import { AccessTokens } from '../auth/tokens.ts'
import type { Config } from '../config.ts'
import { closeDb, openDb } from '../db/open.ts'
import { foldStored, type CompactResult } from '../storage/doc-store.ts'
import { SqliteStores } from '../storage/sqlite-stores.ts'
import type { Stores } from '../storage/stores.ts'
import {
  dataFolderSources,
  loupeVersion,
  restoreBackup,
  writeBackup,
  type BackupManifest,
} from './backup.ts'
import { AdminError, UsageError } from './errors.ts'

export { AdminError, UsageError }

export const usage = `Usage: npm run admin -- <command>
  backup <file>               archive the data folder (database, media, signing secret)
                              to <file>, safe while the server runs
  restore <file>              put an archive back into an empty or missing data folder
                              (on a cluster: into an empty database, nodes stopped)
  compact <boardId> | --all   fold each board's update log into a snapshot
  export <boardId> <file>     write a board as one Yjs update to <file>
  invite <workspaceId> <role> [--hours N] [--uses N]
                              make an invite link (role: owner, editor, reviewer
                              or viewer)
  reset-password <user>       set a new random password and end the user's sessions
  migrate-to-cluster          copy this data folder (database, media) into the cluster
                              of LOUPE_DATABASE_URL and LOUPE_MEDIA_DIR; server stopped,
                              into an empty database
On a cluster (LOUPE_DATABASE_URL and LOUPE_REDIS_URL set, as on the nodes) every command
works on the cluster's database beside the running nodes.`

export interface AdminContext {
  /** The same Config the server builds from the environment (config.ts, `loadConfig`). */
  config: Config
  print(line: string): void
}

/** A whole number in 1..max from a flag, or a usage error naming the flag and the value. */
function wholeFlag(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(n) || n < 1 || n > max)
    throw new UsageError(
      `--${flag} must be a whole number from 1 to ${max} (got ${JSON.stringify(value)})`,
    )
  return n
}

/** The same bounds as `POST /api/workspaces/<ws>/invites` accepts. */
const MAX_INVITE_HOURS = 24 * 90
const MAX_INVITE_USES = 1000

/** The deployment's stores, as the server uses them, and how to compact one board. */
interface AdminStores {
  stores: Stores
  compact(boardId: string): Promise<CompactResult>
}

/** The data folder's SQLite database, or on a cluster its PostgreSQL (cluster-admin.ts). */
async function withStores<T>(context: AdminContext, run: (open: AdminStores) => Promise<T>) {
  const { config } = context
  let open: AdminStores
  if (config.cluster) {
    // Loaded only here: on one machine the admin commands never load PostgreSQL's driver.
    const { openClusterStores } = await import('./cluster-admin.ts')
    open = await openClusterStores(config)
  } else {
    const stores = new SqliteStores(
      openDb(join(config.dataDir, 'loupe.db'), { sync: config.syncMode }),
    )
    const docs = stores.docStore()
    open = { stores, compact: (boardId) => docs.compact(boardId, foldStored) }
  }
  try {
    return await run(open)
  } finally {
    await open.stores.close()
  }
}

function withAuth<T>(
  context: AdminContext,
  run: (service: AuthService, stores: Stores) => Promise<T>,
) {
  return withStores(context, ({ stores }) => {
    const service = new AuthService({
      stores,
      // The commands sign no tokens (a reset ends them through the user's token epoch), so
      // the deployment's secret is not needed, and none is made where there is none.
      tokens: new AccessTokens(randomBytes(32)),
      setupCode: '',
      loginAttempts: 1,
      log: pino({ level: 'silent' }),
    })
    return run(service, stores)
  })
}

export async function runAdmin(args: string[], context: AdminContext): Promise<void> {
  const [command, ...rest] = args
  switch (command) {
    case 'backup': {
      const [file] = rest
      if (!file) throw new UsageError('backup needs a target file')
      const { config } = context
      const manifest = await backup(config, file)
      context.print(`backed up ${describe(manifest.entries)} to ${file}`)
      if (!manifest.entries.some((e) => e.path === 'jwt-secret'))
        context.print(
          config.jwtSecret
            ? 'the signing secret comes from LOUPE_JWT_SECRET and is not in the archive: keep it too'
            : `no signing secret file at ${dataFolderSources(config.dataDir).secretFile}; none was archived`,
        )
      context.print('the archive holds the signing secret and password hashes: keep it private')
      return
    }
    case 'restore': {
      const [file] = rest
      if (!file) throw new UsageError('restore needs an archive file')
      const { config } = context
      if (config.cluster) {
        const { restoreIntoCluster } = await import('./cluster-admin.ts')
        const { manifest, report, secret } = await restoreIntoCluster(config, file)
        context.print(
          `restored ${describe(manifest.entries)} (backup of ${manifest.createdAt}) into the ` +
            `cluster: ${copied(report.rows)}`,
        )
        if (secret && 'written' in secret)
          context.print(
            `the archive's signing secret is in ${secret.written}: set LOUPE_JWT_SECRET to its ` +
              'content on every node, so sessions signed before the backup stay valid',
          )
        if (secret && 'kept' in secret)
          context.print(
            `${secret.kept} was kept: the archive's signing secret was not written, so sessions ` +
              'signed before the backup end unless LOUPE_JWT_SECRET is the old secret',
          )
        context.print('start the nodes now: they rebuild the search index and the lock table')
        return
      }
      const manifest = await restoreBackup(file, config.dataDir)
      context.print(
        `restored ${describe(manifest.entries)} (backup of ${manifest.createdAt}) into ${config.dataDir}`,
      )
      return
    }
    case 'compact': {
      const [target] = rest
      if (!target) throw new UsageError('compact needs a board id or --all')
      await withStores(context, async ({ stores, compact }) => {
        const { directory } = stores
        const ids: string[] = []
        if (target !== '--all') ids.push(target)
        else
          for (const workspace of await directory.allWorkspaces())
            for (const board of await directory.boardsOf(workspace.id, true)) ids.push(board.id)
        for (const id of ids) {
          if (!(await directory.board(id))) throw new UsageError(`no board ${id}`)
          const result = await compact(id)
          context.print(
            result.compacted
              ? `${id}: folded ${result.folded} updates, ${result.bytesBefore} -> ${result.bytesAfter} bytes`
              : `${id}: unchanged (${result.reason})`,
          )
        }
      })
      return
    }
    case 'export': {
      const [boardId, file] = rest
      if (!boardId || !file) throw new UsageError('export needs a board id and a target file')
      await withStores(context, async ({ stores }) => {
        if (!(await stores.directory.board(boardId))) throw new UsageError(`no board ${boardId}`)
        const state = foldStored(await stores.docStore().load(boardId))
        writeFileSync(file, state)
        context.print(`exported ${boardId} (${state.byteLength} bytes) to ${file}`)
      })
      return
    }
    case 'invite': {
      const [workspaceId, role, ...options] = rest
      if (!workspaceId || !isRole(role))
        throw new UsageError('invite needs a workspace id and a role')
      let flags: { hours?: string | undefined; uses?: string | undefined }
      try {
        flags = parseArgs({
          args: options,
          options: { hours: { type: 'string' }, uses: { type: 'string' } },
        }).values
      } catch (error) {
        // Unknown flags, a flag without its value, `--hours -1` (write `--hours=-1`).
        throw new UsageError(`invite: ${(error as Error).message}`)
      }
      const expiresInHours = wholeFlag('hours', flags.hours, MAX_INVITE_HOURS)
      const maxUses = wholeFlag('uses', flags.uses, MAX_INVITE_USES)
      await withAuth(context, async (service, { directory }) => {
        const workspace = await directory.workspace(workspaceId)
        if (!workspace) throw new UsageError(`no workspace ${workspaceId}`)
        const owner = (await directory.members(workspaceId)).find((m) => m.role === 'owner')
        if (!owner) throw new UsageError(`workspace ${workspaceId} has no owner`)
        const { code, invite } = await service.createInvite(workspaceId, owner, {
          role,
          expiresInHours,
          maxUses,
        })
        const base = context.config.publicUrl ?? `http://localhost:${context.config.port}`
        context.print(`${base}/invite/${code}`)
        context.print(
          `role ${role} in ${workspace.name}, ${invite.maxUses} uses, expires ${new Date(invite.expiresAt).toISOString()}`,
        )
      })
      return
    }
    case 'reset-password': {
      const [name] = rest
      if (!name) throw new UsageError('reset-password needs a user name')
      await withAuth(context, async (service) => {
        const { user, password } = await service.resetPassword(name)
        context.print(`new password for ${user.name}: ${password}`)
      })
      return
    }
    case 'migrate-to-cluster': {
      // Loaded only here: the other commands never load PostgreSQL's driver.
      const { migrateToCluster } = await import('./migrate-to-cluster.ts')
      const report = await migrateToCluster(context.config)
      context.print(`copied ${copied(report.rows)} into PostgreSQL`)
      context.print(
        `${report.locks} held lock${report.locks === 1 ? '' : 's'} journaled for Redis; ` +
          (report.mediaFiles ? 'media files copied to LOUPE_MEDIA_DIR' : 'media folder unchanged'),
      )
      context.print('the nodes index boards for search as they start')
      return
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command given')
  }
}

/** The single machine's archive of its data folder, or the cluster's (cluster-admin.ts). */
async function backup(config: Config, file: string): Promise<BackupManifest> {
  if (config.cluster) {
    const { backupCluster } = await import('./cluster-admin.ts')
    return backupCluster(config, file, loupeVersion())
  }
  const dbFile = join(config.dataDir, 'loupe.db')
  if (!existsSync(dbFile)) throw new AdminError(`no database at ${dbFile} (check LOUPE_DATA_DIR)`)
  const db = openDb(dbFile, { sync: config.syncMode })
  try {
    return await writeBackup(db, dataFolderSources(config.dataDir), file, loupeVersion())
  } finally {
    closeDb(db)
  }
}

function copied(rows: Record<string, number>): string {
  const some = Object.entries(rows).filter(([, n]) => n > 0)
  return some.map(([table, n]) => `${n} ${table}`).join(', ') || 'nothing'
}

function describe(entries: Array<{ path: string; size: number }>): string {
  const media = entries.filter((e) => e.path.startsWith('media/')).length
  const secret = entries.some((e) => e.path === 'jwt-secret')
  const db = entries.find((e) => e.path === 'loupe.db')?.size ?? 0
  return `the database (${db} bytes), ${media} media file${media === 1 ? '' : 's'}${secret ? ' and the signing secret' : ''}`
}
