import { openDb } from '../db/open.ts'
import { historyRepoContract } from './history-repo.contract.ts'
import { SqliteStores } from './sqlite-stores.ts'

historyRepoContract('SQLite', async () => new SqliteStores(openDb(':memory:', { sync: 'normal' })))
