import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { openDb } from '../db/open.ts'
import { docStoreContract } from './doc-store.contract.ts'
import { applyStored, foldAndProve, mergeStored, provesMerged } from './doc-store.ts'
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

describe('applyStored and foldAndProve', () => {
  /** A snapshot, then rows that insert, delete and overwrite, as a room stores them. */
  function storedBoard() {
    const doc = new Y.Doc()
    const list = doc.getArray<number>('list')
    list.push([0, 1, 2])
    const state = Y.encodeStateAsUpdate(doc)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    for (let i = 3; i < 40; i++) list.push([i])
    list.delete(0, 5)
    doc.getMap<string>('m').set('a', 'x')
    doc.getMap<string>('m').set('a', 'y')
    return { doc, stored: { state, updates } }
  }

  it('loads what the merge of the rows loads, rows out of order too, in one transaction', () => {
    const { doc, stored } = storedBoard()
    const viaMerge = new Y.Doc()
    Y.applyUpdate(viaMerge, mergeStored(stored))
    // Stored out of causal order: each row waits for the one before it, within the transaction.
    const reversed = { state: stored.state, updates: [...stored.updates].reverse() }
    for (const input of [stored, reversed]) {
      const loaded = new Y.Doc()
      let transactions = 0
      loaded.on('afterTransaction', () => transactions++)
      applyStored(loaded, input, 'origin')
      expect(transactions).toBe(1)
      expect(loaded.getArray('list').toJSON()).toEqual(doc.getArray('list').toJSON())
      expect(loaded.getMap('m').toJSON()).toEqual({ a: 'y' })
      expect(loaded.store.pendingStructs).toBeNull()
      expect(Y.encodeStateVector(loaded)).toEqual(Y.encodeStateVector(viaMerge))
    }
  })

  it('folds to a state that holds every row, and refuses when a row is missing from it', () => {
    const { doc, stored } = storedBoard()
    const folded = foldAndProve(stored)
    expect(folded).not.toBeNull()
    const reloaded = new Y.Doc()
    Y.applyUpdate(reloaded, folded!.state)
    expect(reloaded.getArray('list').toJSON()).toEqual(doc.getArray('list').toJSON())
    expect(folded!.stateVector).toEqual(Y.encodeStateVector(reloaded))
    const extra = new Y.Doc()
    extra.getMap('m').set('elsewhere', 1)
    expect(provesMerged(folded!.state, [...stored.updates, Y.encodeStateAsUpdate(extra)])).toBe(
      false,
    )
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
