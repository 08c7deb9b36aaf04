import { describe } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { accountsRepoContract } from '../../storage/accounts-repo.contract.ts'
import { shareLinksRepoContract } from '../../storage/share-links-repo.contract.ts'
import { PgStores } from './pg-stores.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL accounts and share links', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  accountsRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))
  shareLinksRepoContract('PostgreSQL', async () => new PgStores(pg.pool, 'a'))
})
