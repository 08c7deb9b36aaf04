/**
 * The search indexer writes a live board's rows only when its searchable text changed, and a
 * clean stop stores the state vectors it left behind. Over a real SQLite index; the room
 * manager is a stand-in holding one live document, as a loaded room's is.
 */
import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { openDb } from '../db/open.ts'
import type { RoomManager } from '../realtime/rooms.ts'
import { SqliteDocStore } from '../storage/sqlite-doc-store.ts'
import { SqliteStores } from '../storage/sqlite-stores.ts'
import type { SearchRepo } from '../storage/search-repo.ts'
import { parseSearch } from './query.ts'
import { SearchIndexer } from './indexer.ts'

function setup(
  options: {
    /** Runs before each write; a throw fails it. */
    beforeWrite?: (boardId: string) => Promise<void>
    indexer?: Partial<ConstructorParameters<typeof SearchIndexer>[0]>
  } = {},
) {
  const db = openDb(':memory:', { sync: 'normal' })
  const stores = new SqliteStores(db)
  let writes = 0
  const index: SearchRepo = {
    ...stores.search,
    replaceBoard: async (...args) => {
      await options.beforeWrite?.(args[0])
      writes++
      return stores.search.replaceBoard(...args)
    },
  }
  const live = new Map<string, Y.Doc>()
  const rooms = {
    loaded: (boardId: string) => {
      const doc = live.get(boardId)
      return doc && { committedDoc: () => doc }
    },
  } as unknown as RoomManager
  const indexer = new SearchIndexer({
    index,
    source: { rooms, store: new SqliteDocStore(db) },
    log: pino({ level: 'silent' }),
    ...options.indexer,
  })
  const doc = (boardId = 'b'): Y.Doc => {
    const doc = new Y.Doc()
    board(doc)
    live.set(boardId, doc)
    return doc
  }
  const found = async (text: string, boardIds = ['b']) => {
    const query = parseSearch(text)
    if (!query) throw new Error(`nothing to search in ${text}`)
    return (await stores.search.search(query, boardIds, 100)).map((r) => r.entityId)
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

  it('writes after edits two at a time, oldest due first, and every board in the end', async () => {
    let inFlight = 0
    let most = 0
    const order: string[] = []
    const { indexer, doc, found } = setup({
      indexer: { delayMs: 0 },
      beforeWrite: async (boardId) => {
        order.push(boardId)
        most = Math.max(most, ++inFlight)
        // Each write takes a few turns, as one to PostgreSQL would.
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve))
        inFlight--
      },
    })
    const boards = Array.from({ length: 12 }, (_, i) => `b${i}`)
    for (const boardId of boards) {
      createTask(doc(boardId), { id: `t-${boardId}`, title: 'wombat', order: 'a0', createdBy: 'u' })
      indexer.changed(boardId)
    }
    await vi.waitFor(() => expect(order).toHaveLength(12))
    await vi.waitFor(() => expect(inFlight).toBe(0))
    expect(most).toBe(2)
    expect(order).toEqual(boards)
    expect((await found('wombat', boards)).sort()).toEqual(boards.map((b) => `t-${b}`).sort())
  })

  it('tries a failing write again after a doubling wait, and logs the outage once, not per attempt', async () => {
    const lines: { level: number; msg: string; failed?: number }[] = []
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    const attempts: number[] = []
    const { indexer, doc, found } = setup({
      indexer: { delayMs: 0, retryMs: 20, retryMaxMs: 1000, log },
      beforeWrite: async (boardId) => {
        if (boardId !== 'b') return
        attempts.push(performance.now())
        if (attempts.length <= 4) throw new Error('timeout exceeded when trying to connect')
      },
    })
    createTask(doc(), { id: 't1', title: 'wombat', order: 'a0', createdBy: 'u' })
    indexer.changed('b')
    await vi.waitFor(async () => expect(await found('wombat')).toEqual(['t1']), { timeout: 5000 })
    expect(attempts).toHaveLength(5)
    // 20, 40, 80, 160 ms (a timer may fire a millisecond early).
    const waits = attempts.slice(1).map((at, i) => at - (attempts[i] as number))
    waits.forEach((wait, i) => expect(wait).toBeGreaterThanOrEqual(20 * 2 ** i - 2))
    expect(lines.map((l) => [l.level, l.msg, l.failed])).toEqual([
      [50, 'search indexing failed; trying again', 1],
      [40, 'search indexing works again', 4],
    ])
  })
})
