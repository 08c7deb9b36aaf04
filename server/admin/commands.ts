/**
 * Operator commands (`npm run admin -- <command>`). They open the database file directly:
 * SQLite's locking makes that safe beside a running server (WAL readers never block, and a
 * compaction takes the write lock and proves every row it deletes is in the new snapshot).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { isRole } from '../../shared/roles.ts'
import { AuthService } from '../auth/service.ts'
import { AccessTokens, loadSecret } from '../auth/tokens.ts'
import { Accounts } from '../db/accounts.ts'
import { Directory } from '../db/directory.ts'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { foldStored } from '../storage/doc-store.ts'
import { SqliteDocStore } from '../storage/sqlite-doc-store.ts'

export class UsageError extends Error {}

export const usage = `Usage: npm run admin -- <command>
  backup <file>               online backup of the database to <file>
  compact <boardId> | --all   fold each board's update log into a snapshot
  export <boardId> <file>     write a board as one Yjs update to <file>
  invite <workspaceId> <role> [--hours N] [--uses N]
                              make an invite link (role: owner, editor or viewer)
  reset-password <user>       set a new random password and end the user's sessions`

export interface AdminContext {
  dataDir: string
  /** Where users reach the server, for invite links. */
  publicUrl: string
  jwtSecret: string | undefined
  sync: 'normal' | 'full'
  print(line: string): void
}

function withDb<T>(context: AdminContext, run: (db: Db) => Promise<T>): Promise<T> {
  const db = openDb(join(context.dataDir, 'loupe.db'), { sync: context.sync })
  return run(db).finally(() => closeDb(db))
}

function withAuth<T>(
  context: AdminContext,
  run: (service: AuthService, directory: Directory) => Promise<T>,
) {
  return withDb(context, (db) => {
    const directory = new Directory(db)
    const service = new AuthService({
      accounts: new Accounts(db),
      directory,
      tokens: new AccessTokens(loadSecret(context.dataDir, context.jwtSecret)),
      setupCode: '',
      loginAttempts: 1,
      log: pino({ level: 'silent' }),
    })
    return run(service, directory)
  })
}

export async function runAdmin(args: string[], context: AdminContext): Promise<void> {
  const [command, ...rest] = args
  switch (command) {
    case 'backup': {
      const [file] = rest
      if (!file) throw new UsageError('backup needs a target file')
      await withDb(context, async (db) => {
        await db.backup(file)
      })
      context.print(`backed up to ${file}`)
      return
    }
    case 'compact': {
      const [target] = rest
      if (!target) throw new UsageError('compact needs a board id or --all')
      await withDb(context, async (db) => {
        const directory = new Directory(db)
        const store = new SqliteDocStore(db)
        const ids =
          target === '--all'
            ? directory
                .allWorkspaces()
                .flatMap((w) => directory.boardsOf(w.id, true).map((b) => b.id))
            : [target]
        for (const id of ids) {
          if (!directory.board(id)) throw new UsageError(`no board ${id}`)
          const result = await store.compact(id, foldStored)
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
      await withDb(context, async (db) => {
        if (!new Directory(db).board(boardId)) throw new UsageError(`no board ${boardId}`)
        const state = foldStored(await new SqliteDocStore(db).load(boardId))
        writeFileSync(file, state)
        context.print(`exported ${boardId} (${state.byteLength} bytes) to ${file}`)
      })
      return
    }
    case 'invite': {
      const [workspaceId, role, ...options] = rest
      if (!workspaceId || !isRole(role))
        throw new UsageError('invite needs a workspace id and a role')
      const flags = parseArgs({
        args: options,
        options: { hours: { type: 'string' }, uses: { type: 'string' } },
      }).values
      await withAuth(context, async (service, directory) => {
        const workspace = directory.workspace(workspaceId)
        if (!workspace) throw new UsageError(`no workspace ${workspaceId}`)
        const owner = directory.members(workspaceId).find((m) => m.role === 'owner')
        if (!owner) throw new UsageError(`workspace ${workspaceId} has no owner`)
        const { code, invite } = service.createInvite(workspaceId, owner, {
          role,
          expiresInHours: flags.hours ? Number(flags.hours) : undefined,
          maxUses: flags.uses ? Number(flags.uses) : undefined,
        })
        context.print(`${context.publicUrl}/invite/${code}`)
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
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command given')
  }
}
