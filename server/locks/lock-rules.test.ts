/** The lock rules suite against the single-node service, on both of its stores (real clock). */
import { openDb } from '../db/open.ts'
import { lockRulesContract, type OpenLockRules } from './lock-rules.contract.ts'
import { LockService } from './lock-service.ts'
import { MemoryLockStore, type LockStore } from './lock-store.ts'
import { SqliteLockStore } from './sqlite-lock-store.ts'

function singleNode(makeStore: () => LockStore): OpenLockRules {
  return async (events) => {
    const alive = new Set<string>()
    const service = new LockService({
      store: makeStore(),
      defaultTtlMs: 60_000,
      sessionAlive: (id) => alive.has(id),
      events,
    })
    // The same operations as promises, as the cluster's service offers them.
    const locks = {
      acquire: async (request: Parameters<LockService['acquire']>[0]) => service.acquire(request),
      release: async (...args: Parameters<LockService['release']>) => service.release(...args),
      renew: async (...args: Parameters<LockService['renew']>) => service.renew(...args),
      cancel: async (...args: Parameters<LockService['cancel']>) => service.cancel(...args),
      forceRelease: async (...args: Parameters<LockService['forceRelease']>) =>
        service.forceRelease(...args),
      releaseSession: async (sessionId: string) => service.releaseSession(sessionId),
      releaseMember: async (...args: Parameters<LockService['releaseMember']>) =>
        service.releaseMember(...args),
      list: async (boardId: string) => service.list(boardId),
      get: async (key: string) => service.get(key),
      lockedByOthers: async (boardId: string, userId: string) =>
        service.lockedByOthers(boardId, userId),
    }
    return {
      locks,
      openSession: async (sessionId) => void alive.add(sessionId),
      killSession: async (sessionId) => void alive.delete(sessionId),
      tick: async () => service.expire(),
      close: async () => {},
    }
  }
}

lockRulesContract(
  'single node, SQLite',
  singleNode(() => new SqliteLockStore(openDb(':memory:', { sync: 'normal' }))),
)
lockRulesContract(
  'single node, memory',
  singleNode(() => new MemoryLockStore()),
)
