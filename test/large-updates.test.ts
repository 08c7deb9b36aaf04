/**
 * A large but legal update (hundreds of thousands of tiny items, or a tree thousands deep) is
 * decoded off the event loop and applied a slice per turn: other boards are served meanwhile,
 * and the whole update still arrives, committed, everywhere — the sender's order intact.
 * Latency figures for this live in the benchmark; here the proof is the commit order.
 */
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Db } from '../server/db/open.ts'
import { updateFrame } from '../server/realtime/y-frames.ts'
import type { DocStore } from '../server/storage/doc-store.ts'
import { SqliteDocStore } from '../server/storage/sqlite-doc-store.ts'
import { cleanup, eventually, startTestServer, synced } from './harness.ts'

afterEach(cleanup)

/** The real SQLite store, with a record of which board each committed update was for. */
function recordingStore(commits: string[]) {
  return (db: Db): DocStore => {
    const store = new SqliteDocStore(db)
    const append = store.append.bind(store)
    store.append = async (updates) => {
      await append(updates)
      for (const update of updates) commits.push(update.boardId)
    }
    return store
  }
}

describe('a large update', () => {
  it('lets other boards commit and relay before it is applied, and still lands whole and in order', async () => {
    const commits: string[] = []
    const t = await startTestServer({ docStore: recordingStore(commits) })
    const bigId = await t.createBoard('Big', 'big')
    const otherId = await t.createBoard('Other', 'other')
    const watcherDoc = new Y.Doc()
    const watcher = t.provider(bigId, watcherDoc)
    const otherDoc = new Y.Doc()
    const otherWatcher = t.provider(otherId, otherDoc)
    await Promise.all([synced(watcher), synced(otherWatcher)])

    const source = new Y.Doc()
    const items = source.getMap('tasks')
    source.transact(() => {
      for (let i = 0; i < 60_000; i++) items.set(`k${i}`, i)
    })
    const big = Y.encodeStateAsUpdate(source)
    const afterBig = (() => {
      const before = Y.encodeStateVector(source)
      items.set('after', 'sent right after the big one')
      return Y.diffUpdate(Y.encodeStateAsUpdate(source), before)
    })()
    const small = (() => {
      const doc = new Y.Doc()
      doc.getMap('tasks').set('small', 'another board')
      return Y.encodeStateAsUpdate(doc)
    })()

    const bigSender = await t.raw(bigId)
    const otherSender = await t.raw(otherId)
    bigSender.send(updateFrame(big))
    bigSender.send(updateFrame(afterBig))
    otherSender.send(updateFrame(small))

    await eventually(() => {
      expect(watcherDoc.getMap('tasks').size).toBe(60_001)
      expect(otherDoc.getMap('tasks').get('small')).toBe('another board')
    }, 20_000)
    // Sliced: the big update became many commits, and the other board's update was committed
    // before the last of them (applied inline, it would come after all of it).
    const bigCommits = commits.flatMap((board, i) => (board === bigId ? [i] : []))
    const otherCommit = commits.lastIndexOf(otherId)
    expect(bigCommits.length).toBeGreaterThan(10)
    expect(otherCommit).toBeLessThan(Math.max(...bigCommits))
    // The sender's next message waited for the whole big one: its item is in the last commit.
    const replica = new Y.Doc()
    const db = new Database(t.server.dbFile, { readonly: true })
    const rows = db
      .prepare('SELECT data FROM doc_updates WHERE board_id = ? ORDER BY seq')
      .all(bigId) as Array<{ data: Buffer }>
    db.close()
    const last = rows.at(-1)?.data as Buffer
    const lastDoc = new Y.Doc()
    Y.applyUpdate(lastDoc, Y.mergeUpdates(rows.slice(0, -1).map((r) => new Uint8Array(r.data))))
    expect(lastDoc.getMap('tasks').has('after')).toBe(false)
    for (const row of rows) Y.applyUpdate(replica, row.data)
    expect(replica.getMap('tasks').size).toBe(60_001)
    expect(last.byteLength).toBeGreaterThan(0)
  }, 60_000)

  it('takes a tree 20,000 levels deep without a stack overflow, and the board still syncs', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Deep')
    const source = new Y.Doc()
    source.transact(() => {
      let parent: Y.XmlFragment | Y.XmlElement = source.getXmlFragment('notes')
      for (let i = 0; i < 20_000; i++) {
        const child = new Y.XmlElement('d')
        parent.insert(0, [child])
        parent = child
      }
    })
    const sender = await t.raw(boardId)
    sender.send(updateFrame(Y.encodeStateAsUpdate(source)))
    const replica = new Y.Doc()
    const provider = t.provider(boardId, replica)
    await synced(provider)
    const clock = (doc: Y.Doc) => Y.getState(doc.store, source.clientID)
    await eventually(() => expect(clock(replica)).toBe(clock(source)), 20_000)
    expect((await t.api('/healthz')).status).toBe(200)
  }, 60_000)
})
