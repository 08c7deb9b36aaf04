import { openDb } from '../db/open.ts'
import { accountsRepoContract } from './accounts-repo.contract.ts'
import { shareLinksRepoContract } from './share-links-repo.contract.ts'
import { SqliteStores } from './sqlite-stores.ts'

const open = async () => new SqliteStores(openDb(':memory:', { sync: 'normal' }))

accountsRepoContract('SQLite', open)
shareLinksRepoContract('SQLite', open)
