import { openDb } from '../db/open.ts'
import { EventLog } from './event-log.ts'
import { eventStoreContract } from './event-store.contract.ts'
import { asyncEventLog } from './event-store.ts'

eventStoreContract('SQLite', async () => {
  const db = openDb(':memory:', { sync: 'normal' })
  return {
    log: asyncEventLog(new EventLog(db)),
    reopen: async () => asyncEventLog(new EventLog(db)),
  }
})
