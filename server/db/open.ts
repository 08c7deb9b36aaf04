import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrate } from './migrations.ts'

export type Db = Database.Database

export interface OpenOptions {
  /** `full` fsyncs every commit (survives power loss); `normal` survives a process crash. */
  sync: 'normal' | 'full'
  readonly?: boolean
}

/**
 * Opens the database with WAL and the chosen durability, then migrates it. better-sqlite3's
 * bundled SQLite defaults WAL to synchronous=NORMAL, so the level is always set explicitly
 * (NORMAL survives a process crash; FULL also a power loss — docs/operations.md).
 */
export function openDb(file: string, options: OpenOptions): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file, { readonly: options.readonly ?? false })
  db.pragma('busy_timeout = 5000')
  if (!options.readonly) {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`)
    db.pragma('foreign_keys = ON')
    migrate(db)
  }
  return db
}

export function closeDb(db: Db): void {
  if (!db.open) return
  try {
    db.pragma('optimize')
  } catch {
    // Only an optimisation; a full disk must not turn a clean stop into a crash.
  } finally {
    db.close()
  }
}
