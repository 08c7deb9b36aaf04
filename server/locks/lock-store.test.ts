import { openDb } from '../db/open.ts'
import { lockStoreContract } from './lock-store.contract.ts'
import { MemoryLockStore } from './lock-store.ts'
import { SqliteLockStore } from './sqlite-lock-store.ts'

lockStoreContract('SQLite', () => {
  const db = openDb(':memory:', { sync: 'normal' })
  return { store: new SqliteLockStore(db), reopen: () => new SqliteLockStore(db) }
})

lockStoreContract('memory', () => {
  const store = new MemoryLockStore()
  return { store, reopen: () => store }
})
