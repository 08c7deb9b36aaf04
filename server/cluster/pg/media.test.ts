import { describe } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { mediaRepoContract } from '../../storage/media-repo.contract.ts'
import { PgStores } from './pg-stores.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL media', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  mediaRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))
})
