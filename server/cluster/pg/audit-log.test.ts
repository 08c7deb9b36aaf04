import { describe } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { auditRepoContract } from '../../storage/audit-repo.contract.ts'
import { PgAuditLog } from './audit-log.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL audit log', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  auditRepoContract('PostgreSQL', async () => new PgAuditLog(pg.pool))
})
