import { openDb } from '../db/open.ts'
import { searchRepoContract } from './search-repo.contract.ts'
import { SqliteStores } from './sqlite-stores.ts'

searchRepoContract('SQLite', async () => new SqliteStores(openDb(':memory:', { sync: 'normal' })))
