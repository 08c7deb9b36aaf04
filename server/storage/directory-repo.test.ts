import { Directory } from '../db/directory.ts'
import { openDb } from '../db/open.ts'
import { directoryRepoContract } from './directory-repo.contract.ts'
import { asyncDirectory } from './directory-repo.ts'

directoryRepoContract('SQLite', async () =>
  asyncDirectory(new Directory(openDb(':memory:', { sync: 'normal' }))),
)
