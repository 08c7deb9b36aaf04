/**
 * Operator commands (`npm run admin -- <command>`). They open the database file directly:
 * SQLite's locking makes that safe beside a running server (WAL readers never block, and a
 * compaction takes the write lock and proves every row it deletes is in the new snapshot).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Directory } from '../db/directory.ts'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { foldStored } from '../storage/doc-store.ts'
import { SqliteDocStore } from '../storage/sqlite-doc-store.ts'

export class UsageError extends Error {}

export const usage = `Usage: npm run admin -- <command>
  backup <file>               online backup of the database to <file>
  compact <boardId> | --all   fold each board's update log into a snapshot
  export <boardId> <file>     write a board as one Yjs update to <file>`

export interface AdminContext {
  dataDir: string
  sync: 'normal' | 'full'
  print(line: string): void
}

function withDb<T>(context: AdminContext, run: (db: Db) => Promise<T>): Promise<T> {
  const db = openDb(join(context.dataDir, 'loupe.db'), { sync: context.sync })
  return run(db).finally(() => closeDb(db))
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
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command given')
  }
}
