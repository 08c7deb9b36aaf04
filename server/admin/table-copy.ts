/**
 * Rows between the SQLite file and PostgreSQL, both ways: `migrate-to-cluster` and restoring an
 * archive into a cluster copy SQLite into PostgreSQL; a cluster's backup copies PostgreSQL into
 * a fresh SQLite file, so one archive format serves both modes (docs/operations.md, "Backup and
 * restore"). The two schemas share table and column names and units (docs/cluster.md,
 * "Tables"); what is copied is every column of every SQLite table but those kept otherwise in
 * cluster mode. Columns only PostgreSQL has (a board's `owner_epoch`, `update_seq`, an update's
 * `epoch`) start from the data one way and are left behind the other.
 */
import type { Db } from '../db/open.ts'
import type { Tx } from '../cluster/pg/pool.ts'
import { AdminError } from './errors.ts'

/** SQLite tables kept otherwise in cluster mode (Redis, the lock journal, the nodes' own search index), or scratch. */
const NOT_COPIED = /^(search_.*|sqlite_.*|locks|lock_waiters|lock_fences|store_probe)$/
/** Rows per INSERT statement, about (PostgreSQL allows 65535 parameters). */
const BATCH_VALUES = 5000

export interface SharedTable {
  name: string
  /** SQLite's columns, which PostgreSQL has too. */
  columns: string[]
  /** The primary key's columns: a stable order to read PostgreSQL in. */
  key: string[]
  /** PostgreSQL's type of each column (data_type of information_schema). */
  types: Map<string, string>
}

/**
 * The tables both stores keep, parents first, each with SQLite's columns; throws when
 * PostgreSQL lacks one of them (the schemas drifted apart).
 */
export async function sharedTables(sqlite: Db, tx: Tx): Promise<SharedTable[]> {
  const pgTypes = new Map<string, string>()
  for (const row of (
    await tx.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = current_schema()`,
    )
  ).rows)
    pgTypes.set(`${row.table_name}.${row.column_name}`, row.data_type)

  const names = sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((t) => t.name)
    .filter((name) => !NOT_COPIED.test(name))
  // Foreign keys as either store declares them.
  const parents = new Map<string, Set<string>>(names.map((name) => [name, new Set<string>()]))
  for (const name of names)
    for (const fk of sqlite
      .prepare<[], { table: string }>(`SELECT "table" FROM pragma_foreign_key_list('${name}')`)
      .all())
      parents.get(name)?.add(fk.table)
  for (const fk of (
    await tx.query<{ child: string; parent: string }>(
      `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent
       FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
    )
  ).rows)
    parents.get(fk.child)?.add(fk.parent)
  return parentsFirst(parents).map((name) => {
    const info = sqlite
      .prepare<[], { name: string; pk: number }>(
        `SELECT name, pk FROM pragma_table_info('${name}')`,
      )
      .all()
    const columns = info.map((c) => c.name)
    const missing = columns.filter((c) => !pgTypes.has(`${name}.${c}`))
    if (missing.length > 0)
      throw new AdminError(`PostgreSQL has no column for ${name}.${missing.join(', ')}`)
    const key = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name)
    const types = new Map(columns.map((c) => [c, pgTypes.get(`${name}.${c}`) as string]))
    return { name, columns, key, types }
  })
}

/**
 * The tables in an order where every table a foreign key points at comes before the table
 * that points (both stores check foreign keys row by row), by name where the order is free.
 */
function parentsFirst(parents: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const ordered: string[] = []
  const placed = new Set<string>()
  const place = (name: string, path: string[]) => {
    if (placed.has(name)) return
    if (path.includes(name))
      throw new AdminError(`foreign keys form a cycle: ${[...path, name].join(' → ')}`)
    const own = [...(parents.get(name) ?? [])].filter((p) => p !== name && parents.has(p))
    for (const parent of own.sort()) place(parent, [...path, name])
    placed.add(name)
    ordered.push(name)
  }
  for (const name of [...parents.keys()].sort()) place(name, [])
  return ordered
}

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ')

/**
 * Every shared row from SQLite into PostgreSQL (inside `tx`), in the SQLite file's insertion
 * order, which PostgreSQL's serial columns then keep. Returns the rows copied per table.
 */
export async function copySqliteToPg(sqlite: Db, tx: Tx): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (const table of await sharedTables(sqlite, tx)) {
    const extra = table.name === 'doc_updates' ? ['epoch'] : []
    const all = [...table.columns, ...extra]
    const insert = `INSERT INTO ${table.name} (${quoted(all)}) VALUES `
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
    const order = hasRowid(sqlite, table.name) ? ' ORDER BY rowid' : ''
    for (const row of sqlite
      .prepare<[], Record<string, unknown>>(`SELECT * FROM "${table.name}"${order}`)
      .iterate()) {
      batch.push([
        ...table.columns.map((c) => toPg(row[c], table.types.get(c) as string)),
        ...extra.map(() => 0),
      ])
      if (batch.length * all.length >= BATCH_VALUES) await flush()
    }
    await flush()
    counts[table.name] = count
  }
  return counts
}

/**
 * Every shared row from PostgreSQL (read inside `tx`: one REPEATABLE READ transaction gives a
 * consistent snapshot) into an empty SQLite database, in primary-key order, in one SQLite
 * transaction. Returns the rows copied per table.
 */
export async function copyPgToSqlite(
  tx: Tx,
  sqlite: Db,
  /** Called after each table is read (progress; a test commits writes in between). */
  copiedTable?: (table: string) => Promise<void>,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const tables = await sharedTables(sqlite, tx)
  sqlite.exec('BEGIN')
  try {
    for (const table of tables) {
      const insert = sqlite.prepare(
        `INSERT INTO "${table.name}" (${quoted(table.columns)}) VALUES (${table.columns.map(() => '?').join(', ')})`,
      )
      const page = Math.max(1, Math.floor(BATCH_VALUES / table.columns.length))
      let count = 0
      for (;;) {
        // Pages of the snapshot: the transaction's one view, so paging cannot skip or repeat.
        const { rows } = await tx.query<Record<string, unknown>>(
          `SELECT ${quoted(table.columns)} FROM ${table.name} ORDER BY ${quoted(table.key)}
           LIMIT ${page} OFFSET ${count}`,
        )
        for (const row of rows) insert.run(table.columns.map((c) => toSqlite(row[c])))
        count += rows.length
        if (rows.length < page) break
      }
      counts[table.name] = count
      await copiedTable?.(table.name)
    }
    // Tokens keep growing after a restore: each lock key's highest token granted.
    const fences = await tx.query<{ lock_key: string; max_token: number }>(
      'SELECT lock_key, max_token FROM lock_fence ORDER BY lock_key',
    )
    const fence = sqlite.prepare('INSERT INTO lock_fences (key, last_token) VALUES (?, ?)')
    for (const row of fences.rows) fence.run(row.lock_key, row.max_token)
    sqlite.exec('COMMIT')
  } catch (error) {
    sqlite.exec('ROLLBACK')
    throw error
  }
  return counts
}

function hasRowid(sqlite: Db, table: string): boolean {
  const sql =
    sqlite
      .prepare<[string], { sql: string }>('SELECT sql FROM sqlite_master WHERE name = ?')
      .get(table)?.sql ?? ''
  return !/WITHOUT ROWID/i.test(sql)
}

function toPg(raw: unknown, type: string): unknown {
  if (raw === null || raw === undefined) return null
  if (type === 'boolean') return Number(raw) !== 0
  if (typeof raw === 'bigint') return Number(raw)
  return raw
}

function toSqlite(raw: unknown): unknown {
  if (raw === undefined) return null
  if (typeof raw === 'boolean') return raw ? 1 : 0
  return raw
}
