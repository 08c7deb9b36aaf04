import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { searchRepoContract } from '../../storage/search-repo.contract.ts'
import { PgStores } from './pg-stores.ts'
import { PgSearch } from './search.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL search index', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  searchRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))

  it('rewrites only the rows whose text changed, deletes the ones gone, and leaves the rest as they were', async () => {
    const search = new PgSearch(pg.pool)
    const entry = (entityId: string, text: string) => ({
      entityType: 'task' as const,
      entityId,
      field: 'title',
      text,
    })
    const rows = async () => {
      const { rows } = await pg.pool.query<{ entity_id: string; text: string; xmin: string }>(
        `SELECT entity_id, text, xmin::text FROM search_rows WHERE board_id = 'b1' ORDER BY entity_id`,
      )
      return rows
    }
    await search.replaceBoard(
      'b1',
      [entry('t1', 'kept'), entry('t2', 'old'), entry('t3', 'gone')],
      new Uint8Array([1]),
    )
    await search.replaceBoard('b2', [entry('t1', 'other board')], new Uint8Array([9]))
    const before = await rows()
    // t2 twice: the last one counts, as it would in a map.
    await search.replaceBoard(
      'b1',
      [entry('t1', 'kept'), entry('t2', 'older'), entry('t2', 'new'), entry('t4', 'added')],
      new Uint8Array([2]),
    )
    const after = await rows()
    expect(after.map((r) => [r.entity_id, r.text])).toEqual([
      ['t1', 'kept'],
      ['t2', 'new'],
      ['t4', 'added'],
    ])
    expect(after[0]?.xmin).toBe(before[0]?.xmin)
    expect(after[1]?.xmin).not.toBe(before[1]?.xmin)
    expect(await search.indexedVector('b1')).toEqual(new Uint8Array([2]))
    // Another board's rows are not touched.
    const { rows: other } = await pg.pool.query(
      `SELECT text FROM search_rows WHERE board_id = 'b2'`,
    )
    expect(other).toEqual([{ text: 'other board' }])
    expect(await search.indexedVector('b2')).toEqual(new Uint8Array([9]))
  })
})
