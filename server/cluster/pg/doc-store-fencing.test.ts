import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedBoard, usePgDatabase, waitingOnLock } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { updatesOf } from '../../storage/doc-store.contract.ts'
import { foldStored, mergeStored, type DocUpdate } from '../../storage/doc-store.ts'
import { appendUnfenced, FencedError } from '../../storage/fenced.ts'
import { PgDocStore } from './doc-store.ts'
import type { PgPool } from './pool.ts'

const postgres = await testPostgres()

const edits = (count: number, label = 'x') =>
  updatesOf(new Y.Doc(), (d) => {
    for (let i = 0; i < count; i++) d.getArray('a').push([`${label}${i}`])
  })

const to =
  (boardId: string) =>
  (data: Uint8Array): DocUpdate => ({ boardId, data, userId: null })

/** The log as stored: seq and the owner epoch that wrote each row. */
async function rows(pool: PgPool, boardId: string) {
  const { rows } = await pool.query<{ seq: number; epoch: number }>(
    'SELECT seq, epoch FROM doc_updates WHERE board_id = $1 ORDER BY seq',
    [boardId],
  )
  return rows.map((row) => [row.seq, row.epoch])
}

describe.skipIf(!postgres)('PostgreSQL DocStore: epoch fencing', () => {
  const pg = usePgDatabase(postgres)

  it("[F1] a taken-over node's append fails with FencedError and stores nothing", async () => {
    await seedBoard(pg.pool, 'b')
    const a = new PgDocStore(pg.pool, 'a')
    const b = new PgDocStore(pg.node('b'), 'b')
    expect(await a.takeOwnership('b')).toBe(1)
    await a.append(edits(2).map(to('b')))
    expect(await b.takeOwnership('b')).toBe(2)
    const stale = a.append(edits(1, 'late').map(to('b')))
    await expect(stale).rejects.toThrow(FencedError)
    await expect(stale).rejects.toMatchObject({ boardIds: ['b'] })
    expect(await rows(pg.pool, 'b')).toEqual([
      [1, 1],
      [2, 1],
    ])
    await b.append(edits(1, 'new').map(to('b')))
    expect(await rows(pg.pool, 'b')).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
    ])
    const owner = await pg.pool.query('SELECT owner_epoch, owner_node, update_seq FROM boards')
    expect(owner.rows).toEqual([{ owner_epoch: 2, owner_node: 'b', update_seq: 3 }])
    // Once fenced, the node knows it: it no longer claims the board.
    expect(a.epochOf('b')).toBeUndefined()
  })

  it('[F1] a node that never took the board cannot write it', async () => {
    await seedBoard(pg.pool, 'b')
    const a = new PgDocStore(pg.pool, 'a')
    await expect(a.append(edits(1).map(to('b')))).rejects.toThrow(FencedError)
    await expect(a.compact('b', foldStored)).rejects.toThrow(FencedError)
    expect(await rows(pg.pool, 'b')).toEqual([])
  })

  it('[F1] a compaction whose takeover lands after its fold is refused and deletes nothing', async () => {
    await seedBoard(pg.pool, 'b')
    const a = new PgDocStore(pg.pool, 'a')
    const nodeB = pg.node('b')
    await a.takeOwnership('b')
    await a.append(edits(3).map(to('b')))
    // B's takeover, held open: A reads and folds meanwhile, then waits for the board row.
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    let inside!: () => void
    const entered = new Promise<void>((resolve) => (inside = resolve))
    const takeover = nodeB.transaction(async (tx) => {
      await tx.query("UPDATE boards SET owner_epoch = owner_epoch + 1, owner_node = 'b'")
      inside()
      await held
    })
    await entered
    let folded = false
    const compaction = a.compact('b', (stored) => {
      folded = true
      return foldStored(stored)
    })
    compaction.catch(() => {})
    await waitingOnLock(pg.pool, 'loupe-test-a')
    expect(folded).toBe(true)
    finish()
    await takeover
    await expect(compaction).rejects.toThrow(FencedError)
    const b = new PgDocStore(nodeB, 'b')
    expect(await b.pendingUpdates('b')).toBe(3)
    expect((await b.load('b')).state).toBeNull()
  })

  it('[F2] a takeover waits for the old owner’s commit in flight, then loads it', async () => {
    await seedBoard(pg.pool, 'b')
    const a = new PgDocStore(pg.pool, 'a')
    const nodeB = pg.node('b')
    const b = new PgDocStore(nodeB, 'b')
    await a.takeOwnership('b')
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    let inside!: () => void
    const entered = new Promise<void>((resolve) => (inside = resolve))
    const doc = new Y.Doc()
    const inFlight = a.commit(
      updatesOf(doc, (d) => d.getText('t').insert(0, 'committed by a')).map(to('b')),
      async () => {
        inside()
        await held
      },
    )
    await entered
    let tookOver = false
    const takeover = b.takeOwnership('b').then((epoch) => {
      tookOver = true
      return epoch
    })
    // B's UPDATE of the board row waits on A's row lock.
    await waitingOnLock(pg.pool, 'loupe-test-b')
    expect(tookOver).toBe(false)
    finish()
    await inFlight
    expect(await takeover).toBe(2)
    const loaded = new Y.Doc()
    Y.applyUpdate(loaded, mergeStored(await b.load('b')))
    expect(loaded.getText('t').toString()).toBe('committed by a')
    await expect(a.append(edits(1).map(to('b')))).rejects.toThrow(FencedError)
  })

  it('[F2] a lease lost here while a commit is in flight: the commit stores its rows under its epoch', async () => {
    await seedBoard(pg.pool, 'b')
    const a = new PgDocStore(pg.pool, 'a')
    await a.takeOwnership('b')
    // Another connection holds the board row, so A's commit waits inside its transaction.
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    let inside!: () => void
    const entered = new Promise<void>((resolve) => (inside = resolve))
    const blocker = pg.node('blocker').transaction(async (tx) => {
      await tx.query("SELECT 1 FROM boards WHERE id = 'b' FOR UPDATE")
      inside()
      await held
    })
    await entered
    const inFlight = a.append(edits(2).map(to('b')))
    await waitingOnLock(pg.pool, 'loupe-test-a')
    // The node stops serving the board (its lease lapsed) before the commit gets the row.
    a.release('b')
    finish()
    await blocker
    await inFlight
    expect(await rows(pg.pool, 'b')).toEqual([
      [1, 1],
      [2, 1],
    ])
    // Released is released: the next batch is refused until the board is claimed again.
    await expect(a.append(edits(1).map(to('b')))).rejects.toThrow(FencedError)
  })

  it('[F3] two nodes commit batches over their own boards at once, each board in order', async () => {
    for (const id of ['b1', 'b2', 'b3', 'b4']) await seedBoard(pg.pool, id)
    const a = new PgDocStore(pg.pool, 'a')
    const b = new PgDocStore(pg.node('b'), 'b')
    // Boards at different epochs, so each board's own epoch must be the one checked.
    await a.takeOwnership('b1')
    await a.takeOwnership('b2')
    await a.takeOwnership('b2')
    await a.takeOwnership('b3')
    await b.takeOwnership('b3')
    await b.takeOwnership('b4')
    const batch = (one: string, two: string, round: number): DocUpdate[] =>
      edits(4, `r${round}-`).map((data, i) => ({
        boardId: i % 2 ? two : one,
        data,
        userId: null,
      }))
    await Promise.all(
      Array.from({ length: 10 }, (_, round) => [
        a.append(batch('b1', 'b2', round)),
        b.append(batch('b3', 'b4', round)),
      ]).flat(),
    )
    for (const [id, epoch] of [
      ['b1', 1],
      ['b2', 2],
      ['b3', 2],
      ['b4', 1],
    ] as const)
      expect(await rows(pg.pool, id)).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, epoch]))
    const seqs = await pg.pool.query('SELECT id, update_seq, owner_node FROM boards ORDER BY id')
    expect(seqs.rows.map((r) => [r.id, r.update_seq, r.owner_node])).toEqual([
      ['b1', 20, 'a'],
      ['b2', 20, 'a'],
      ['b3', 20, 'b'],
      ['b4', 20, 'b'],
    ])
  })

  it('[F3] a batch with one taken-over board stores nothing; the rest commits without it', async () => {
    for (const id of ['b1', 'b2']) await seedBoard(pg.pool, id)
    const a = new PgDocStore(pg.pool, 'a')
    const b = new PgDocStore(pg.node('b'), 'b')
    await a.takeOwnership('b1')
    await a.takeOwnership('b2')
    await b.takeOwnership('b2')
    const mixed = [...edits(2, 'one').map(to('b1')), ...edits(2, 'two').map(to('b2'))]
    await expect(a.append(mixed)).rejects.toMatchObject({ boardIds: ['b2'] })
    expect(await rows(pg.pool, 'b1')).toEqual([])
    expect([...(await appendUnfenced(a, mixed))]).toEqual(['b2'])
    expect(await rows(pg.pool, 'b1')).toEqual([
      [1, 1],
      [2, 1],
    ])
    expect(await rows(pg.pool, 'b2')).toEqual([])
  })
})
