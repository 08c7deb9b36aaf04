import { AuditLog } from '../audit/audit-log.ts'
import { openDb } from '../db/open.ts'
import { auditRepoContract } from './audit-repo.contract.ts'
import { asyncAudit } from './audit-repo.ts'

auditRepoContract('SQLite', async () =>
  asyncAudit(new AuditLog(openDb(':memory:', { sync: 'normal' }))),
)
