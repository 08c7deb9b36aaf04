/**
 * The search indexer writes a live board's rows only when its searchable text changed, and a
 * clean stop stores the state vectors it left behind. Over a real SQLite index; the room
 * manager is a stand-in holding one live document, as a loaded room's is.
 */
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { openDb } from '../db/open.ts'
import type { RoomManager } from '../realtime/rooms.ts'
import { SqliteDocStore } from '../storage/sqlite-doc-store.ts'
import { SqliteStores } from '../storage/sqlite-stores.ts'
import type { SearchRepo } from '../storage/search-repo.ts'
import { parseSearch } from './query.ts'
import { SearchIndexer } from './indexer.ts'

function setup() {
  const db = openDb(':memory:', { sync: 'normal' })
  const stores = new SqliteStores(db)
  let writes = 0
  const index: SearchRepo = {
    ...stores.search,
    replaceBoard: (...args) => {
      writes++
      return stores.search.replaceBoard(...args)
    },
  }
  let live: Y.Doc | null = null
  const rooms = {
    loaded: () => (live ? { committedDoc: () => live } : undefined),
  } as unknown as RoomManager
  const indexer = new SearchIndexer({
    index,
    source: { rooms, store: new SqliteDocStore(db) },
    log: pino({ level: 'silent' }),
  })
  const doc = (): Y.Doc => {
    live = new Y.Doc()
    board(live)
    return live
  }
  const found = async (text: string) => {
    const query = parseSearch(text)
    if (!query) throw new Error(`nothing to search in ${text}`)
    return (await stores.search.search(query, ['b'], 10)).map((r) => r.entityId)
  }
  const vector = async () => Buffer.from((await stores.search.indexedVector('b')) ?? [])
  return { indexer, doc, found, vector, writes: () => writes }
}

describe('search indexer', () => {
  it('writes a live board again only when its text changed; a clean stop stores its vector', async () => {
    const { indexer, doc: newDoc, found, vector, writes } = setup()
    const doc = newDoc()
    createTask(doc, { id: 't1', title: 'wombat burrow', order: 'a0', createdBy: 'u' })
    await indexer.reindex('b')
    expect(writes()).toBe(1)
    expect(await found('wombat')).toEqual(['t1'])
    expect(await vector()).toEqual(Buffer.from(Y.encodeStateVector(doc)))

    // No searchable text changed: nothing is written, and the stored vector stays behind.
    updateTask(doc, 't1', { status: 'done' })
    await indexer.reindex('b')
    expect(writes()).toBe(1)
    expect(await vector()).not.toEqual(Buffer.from(Y.encodeStateVector(doc)))

    updateTask(doc, 't1', { title: 'quokka burrow' })
    await indexer.reindex('b')
    expect(writes()).toBe(2)
    expect(await found('quokka')).toEqual(['t1'])
    expect(await found('wombat')).toEqual([])

    updateTask(doc, 't1', { priority: 'high' })
    await indexer.reindex('b')
    expect(writes()).toBe(2)
    await indexer.stop()
    expect(writes()).toBe(2)
    expect(await vector()).toEqual(Buffer.from(Y.encodeStateVector(doc)))
  })

  it('writes a board loaded again once, even with the same text', async () => {
    const { indexer, doc: newDoc, writes } = setup()
    const first = newDoc()
    createTask(first, { id: 't1', title: 'wombat', order: 'a0', createdBy: 'u' })
    await indexer.reindex('b')
    await indexer.reindex('b')
    expect(writes()).toBe(1)

    // The room was put away and loaded again (or, in cluster mode, owned elsewhere meanwhile):
    // the rows may not be what this indexer wrote, so they are written again.
    const again = newDoc()
    Y.applyUpdate(again, Y.encodeStateAsUpdate(first))
    await indexer.reindex('b')
    expect(writes()).toBe(2)
    await indexer.reindex('b')
    expect(writes()).toBe(2)
  })
})
