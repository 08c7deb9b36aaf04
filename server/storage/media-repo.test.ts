import { openDb } from '../db/open.ts'
import { mediaRepoContract } from './media-repo.contract.ts'
import { SqliteStores } from './sqlite-stores.ts'

mediaRepoContract('SQLite', async () => new SqliteStores(openDb(':memory:', { sync: 'normal' })))
