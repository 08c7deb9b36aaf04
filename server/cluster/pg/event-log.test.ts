import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { seedBoard, usePgDatabase, waitingOnLock } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { eventAt, eventStoreContract } from '../../events/event-store.contract.ts'
import { FencedError } from '../../storage/fenced.ts'
import { PgDocStore } from './doc-store.ts'
import { PgEventLog } from './event-log.ts'
import type { PgPool } from './pool.ts'

const postgres = await testPostgres()

const STREAM = 'board:b1'

/** Sequences 1..n, the only shape a reader may ever see. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)

async function storedSeqs(pool: PgPool, stream = STREAM) {
  const { rows } = await pool.query<{ seq: number }>(
    'SELECT seq FROM events WHERE stream = $1 ORDER BY seq',
    [stream],
  )
  return rows.map((row) => row.seq)
}

describe.skipIf(!postgres)('PostgreSQL event log', () => {
  const pg = usePgDatabase(postgres)

  eventStoreContract('PostgreSQL', async () => ({
    log: new PgEventLog(pg.pool),
    reopen: async () => new PgEventLog(pg.node('other')),
  }))

  it('[E5] two nodes writing one stream at once get unique, gap-free sequences; readers never see a hole', async () => {
    const a = new PgEventLog(pg.pool)
    const b = new PgEventLog(pg.node('b'))
    const reader = pg.node('reader')
    let writing = true
    let reads = 0
    const watch = (async () => {
      while (writing) {
        const seen = await storedSeqs(reader)
        expect(seen).toEqual(upTo(seen.length))
        reads++
      }
    })()
    const produce = (log: PgEventLog, node: string) =>
      Promise.all(
        Array.from({ length: 60 }, (_, n) =>
          log.append(STREAM, eventAt(n, n, node)).then((r) => r.seq),
        ),
      )
    const [fromA, fromB] = await Promise.all([produce(a, 'a'), produce(b, 'b')])
    writing = false
    await watch
    expect(reads).toBeGreaterThan(0)
    expect([...fromA, ...fromB].sort((x, y) => x - y)).toEqual(upTo(120))
    expect(await storedSeqs(pg.pool)).toEqual(upTo(120))
    expect(await a.info(STREAM)).toMatchObject({ lastSeq: 120, firstSeq: 1 })
  })

  it('[E5] a producer waits for the one in flight on its stream: seq order is commit order', async () => {
    const a = new PgEventLog(pg.pool)
    const nodeB = pg.node('b')
    const b = new PgEventLog(nodeB)
    // The stream exists: what orders the producers is its counter row, not its creation.
    await a.append(STREAM, eventAt(0, 0))
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    let inside!: () => void
    const entered = new Promise<void>((resolve) => (inside = resolve))
    const first = pg.pool.transaction(async (tx) => {
      const { seqs } = await a.appendIn(tx, STREAM, [eventAt(1, 1)])
      inside()
      await held
      return seqs
    })
    await entered
    const second = b.append(STREAM, eventAt(2, 2))
    await waitingOnLock(pg.pool, 'loupe-test-b')
    expect(await storedSeqs(pg.pool)).toEqual([1])
    finish()
    expect(await first).toEqual([2])
    expect((await second).seq).toBe(3)
    expect(await storedSeqs(pg.pool)).toEqual([1, 2, 3])
  })

  it('[E5] a producer that rolls back leaves no gap', async () => {
    const log = new PgEventLog(pg.pool)
    await log.append(STREAM, eventAt(1, 1))
    const failing = pg.pool.transaction(async (tx) => {
      await log.appendIn(tx, STREAM, [eventAt(2, 2), eventAt(3, 3)])
      throw new Error('the batch failed after numbering its events')
    })
    await expect(failing).rejects.toThrow('the batch failed')
    expect((await log.append(STREAM, eventAt(4, 4))).seq).toBe(2)
    expect(await storedSeqs(pg.pool)).toEqual([1, 2])
  })

  it('[E5] events derived in a fenced batch are not stored, nor numbered', async () => {
    await seedBoard(pg.pool, 'b1')
    const log = new PgEventLog(pg.pool)
    const a = new PgDocStore(pg.pool, 'a')
    await a.takeOwnership('b1')
    await new PgDocStore(pg.node('b'), 'b').takeOwnership('b1')
    const doc = new Y.Doc()
    doc.getMap('m').set('k', 1)
    const update = { boardId: 'b1', data: Y.encodeStateAsUpdate(doc), userId: 'u1' }
    const batch = a.commit([update], async (tx) => {
      await log.appendIn(tx, STREAM, [eventAt(1, 1)])
    })
    await expect(batch).rejects.toThrow(FencedError)
    expect(await storedSeqs(pg.pool)).toEqual([])
    expect((await log.append(STREAM, eventAt(2, 2))).seq).toBe(1)
  })

  it('[E4] age retention keeps a run of sequences even when node clocks disagree', async () => {
    const log = new PgEventLog(pg.pool)
    // seq 3 came from a node whose clock is behind: older by ts, newer by seq.
    for (const [n, ts] of [
      [1, 1000],
      [2, 4000],
      [3, 2000],
      [4, 5000],
    ] as const)
      await log.append(STREAM, eventAt(ts, n))
    expect(await log.prune({ maxAgeMs: 2500, maxPerStream: 100 }, 5000)).toBe(1)
    expect(await storedSeqs(pg.pool)).toEqual([2, 3, 4])
    expect(await log.info(STREAM)).toMatchObject({ firstSeq: 2, lastSeq: 4 })
  })

  it('[E3] two nodes asking for a new stream at once agree on its epoch', async () => {
    const a = new PgEventLog(pg.pool)
    const b = new PgEventLog(pg.node('b'))
    const streams = Array.from({ length: 10 }, (_, i) => `workspace:w${i}`)
    for (const stream of streams) {
      const [fromA, fromB] = await Promise.all([a.info(stream), b.info(stream)])
      expect(fromA).toEqual(fromB)
    }
  })
})
