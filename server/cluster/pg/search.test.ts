import { describe } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { searchRepoContract } from '../../storage/search-repo.contract.ts'
import { PgStores } from './pg-stores.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL search index', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  searchRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))
})
