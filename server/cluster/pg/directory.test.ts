import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { directoryRepoContract } from '../../storage/directory-repo.contract.ts'
import { PgDirectory } from './directory.ts'
import { PgDocStore } from './doc-store.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL directory', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  directoryRepoContract('PostgreSQL', async () => new PgDirectory(pg.pool))

  it('makes boards a node can take: the first takeover is epoch 1', async () => {
    const directory = new PgDirectory(pg.pool)
    await directory.ensureUser({ id: 'ann', name: 'Ann', color: '#f00' })
    await directory.createWorkspace({ id: 'w1', name: 'W', createdBy: 'ann', createdAt: 1 })
    await directory.createBoard({
      id: 'b1',
      workspaceId: 'w1',
      title: 'B',
      createdBy: 'ann',
      createdAt: 1,
    })
    expect(await new PgDocStore(pg.pool, 'a').takeOwnership('b1')).toBe(1)
  })

  it('gives two nodes creating one user at once the same stored user', async () => {
    const a = new PgDirectory(pg.pool)
    const b = new PgDirectory(pg.node('b'))
    const users = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? b : a).ensureUser({ id: 'local', name: 'Local', color: `#${i}${i}${i}` }),
      ),
    )
    expect(new Set(users.map((user) => user.color)).size).toBe(1)
  })
})
