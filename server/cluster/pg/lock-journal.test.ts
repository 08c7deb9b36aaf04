import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { lockJournalContract } from '../../locks/lock-journal.contract.ts'
import { FenceRegressionError, type LockJournalEntry } from '../../locks/lock-journal.ts'
import { nextLockGeneration, PgLockJournal } from './lock-journal.ts'

const postgres = await testPostgres()

const grant = (token: number, holder = 'ann'): LockJournalEntry => ({
  kind: 'granted',
  key: 'b1/task/t1',
  boardId: 'b1',
  token,
  holder: { id: holder, name: holder },
  sessionId: `s-${holder}`,
  requestId: null,
  acquiredAt: 1_000 + token,
  expiresAt: 61_000 + token,
  ttlMs: 60_000,
  reason: null,
  at: 1_000 + token,
})

describe.skipIf(!postgres)('PostgreSQL lock journal', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  lockJournalContract('PostgreSQL', async () => new PgLockJournal(pg.pool))

  it('[L2] grants racing from two nodes are recorded only while their tokens grow, in commit order', async () => {
    const a = new PgLockJournal(pg.pool)
    const b = new PgLockJournal(pg.node('b'))
    // Interleaved so both nodes' grants contend for the key's fence row.
    const tokens = [3, 1, 7, 2, 9, 4, 12, 5, 8, 6, 11, 10]
    const outcomes = await Promise.allSettled(
      tokens.map((token, i) => (i % 2 ? b : a).record([grant(token, `u${token}`)])),
    )
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(FenceRegressionError)
    const { rows } = await pg.pool.query<{ token: number }>(
      "SELECT token FROM lock_journal WHERE kind = 'granted' ORDER BY recorded",
    )
    const recorded = rows.map((row) => row.token)
    expect(recorded).toContain(12)
    expect(recorded).toEqual([...recorded].sort((x, y) => x - y))
    const fence = await pg.pool.query('SELECT lock_key, max_token FROM lock_fence')
    expect(fence.rows).toEqual([{ lock_key: 'b1/task/t1', max_token: 12 }])
    await expect(a.record([grant(12, 'late')])).rejects.toThrow(FenceRegressionError)
    expect((await a.latest()).held).toEqual([grant(12, 'u12')])
  })

  it('hands out each lock generation once, however many nodes ask at once', async () => {
    const nodes = [pg.pool, pg.node('b'), pg.node('c')]
    const gens = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        nextLockGeneration(nodes[i % 3] as (typeof nodes)[0], {
          runId: `run${i}`,
          nodeId: `n${i % 3}`,
        }),
      ),
    )
    expect([...gens].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    const { rows } = await pg.pool.query('SELECT gen, run_id FROM redis_generations ORDER BY gen')
    expect(rows).toHaveLength(9)
    expect(new Set(rows.map((row) => row.run_id)).size).toBe(9)
  })
})
