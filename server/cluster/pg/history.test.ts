import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { historyRepoContract } from '../../storage/history-repo.contract.ts'
import { PgStores } from './pg-stores.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL history', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  historyRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))

  it('keeps the first user of a client id when two nodes learn it at once', async () => {
    const doc = new Y.Doc()
    doc.clientID = 7
    doc.getText('t').insert(0, 'x')
    const data = Y.encodeStateAsUpdate(doc)
    const nodes = [new PgStores(pg.pool, 'a'), new PgStores(pg.node('b'), 'b')]
    await Promise.all(
      ['ann', 'bob', 'carl', 'dora'].map((userId, i) =>
        nodes[i % 2]?.visits.learn([{ boardId: 'b1', userId, data }]),
      ),
    )
    const owners = await Promise.all(
      ['ann', 'bob', 'carl', 'dora'].map(async (userId) =>
        (await nodes[0]?.visits.clientsOf('b1', userId))?.has(7),
      ),
    )
    expect(owners.filter(Boolean)).toHaveLength(1)
  })
})
