import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openDb } from '../db/open.ts'
import { docStoreContract } from './doc-store.contract.ts'
import { provesMerged } from './doc-store.ts'
import { SqliteDocStore } from './sqlite-doc-store.ts'

docStoreContract('SQLite', async () => {
  const db = openDb(':memory:', { sync: 'normal' })
  return {
    store: new SqliteDocStore(db),
    // SQLite writes any board: there is one writer, the process that holds the file.
    board: async () => {},
    reopen: async () => new SqliteDocStore(db),
  }
})

describe('provesMerged', () => {
  it('holds for rows inside the state and fails for a row outside it', () => {
    const doc = new Y.Doc()
    const rows: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => rows.push(u))
    doc.getMap('m').set('x', 1)
    const state = Y.encodeStateAsUpdate(doc)
    doc.getMap('m').set('y', 2)
    expect(provesMerged(state, rows.slice(0, 1))).toBe(true)
    expect(provesMerged(state, rows)).toBe(false)
  })
})

describe('durability setting', () => {
  it('LOUPE_SYNC=full makes every commit synchronous=FULL; normal is NORMAL', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'loupe-sync-'))
    const full = openDb(join(dir, 'full.db'), { sync: 'full' })
    const normal = openDb(join(dir, 'normal.db'), { sync: 'normal' })
    expect(full.pragma('synchronous', { simple: true })).toBe(2)
    expect(normal.pragma('synchronous', { simple: true })).toBe(1)
    expect(full.pragma('journal_mode', { simple: true })).toBe('wal')
    full.close()
    normal.close()
  })
})
