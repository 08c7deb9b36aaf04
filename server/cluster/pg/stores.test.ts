import { describe } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { storesContract } from '../../storage/stores.contract.ts'
import { PgStores } from './pg-stores.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL stores', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  storesContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))
})
