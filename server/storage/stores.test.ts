import { describe, expect, it } from 'vitest'
import { openDb } from '../db/open.ts'
import { SqliteStores } from './sqlite-stores.ts'
import { AwaitedOutsideTransaction } from './sqlite-transactions.ts'
import { storesContract } from './stores.contract.ts'

const open = async () => new SqliteStores(openDb(':memory:', { sync: 'normal' }))

storesContract('SQLite', open)

describe('SQLite store transactions run in one turn of the event loop', () => {
  const ann = { id: 'ann', name: 'Ann' }

  it('rolls back work that awaits something else, and refuses what it writes afterwards', async () => {
    const stores = await open()
    let lateWrite!: (outcome: Promise<unknown>) => void
    const late = new Promise<unknown>((resolve) => (lateWrite = resolve))
    await expect(
      stores.transaction(async (tx) => {
        await tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: 'w1' })
        await new Promise((resolve) => setImmediate(resolve))
        lateWrite(tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: 'w1' }))
      }),
    ).rejects.toThrow(AwaitedOutsideTransaction)
    await expect(late).rejects.toThrow(/ended/)
    expect(await stores.audit.list('w1', 0, 10)).toEqual([])
  })

  it('refuses a repository used from outside the transaction while it runs, and rolls back', async () => {
    const stores = await open()
    await expect(
      stores.transaction(async (tx) => {
        await tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: 'w1' })
        await stores.audit.record({ action: 'auth.login', actor: ann, workspaceId: 'w1' })
      }),
    ).rejects.toThrow(/outside the transaction/)
    expect(await stores.audit.list('w1', 0, 10)).toEqual([])
  })

  it('fails a transaction that waits for another one started inside it', async () => {
    const stores = await open()
    await expect(
      stores.transaction(async (tx) => {
        await tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: 'w1' })
        await stores.transaction(async () => {})
      }),
    ).rejects.toThrow(AwaitedOutsideTransaction)
    expect(await stores.audit.list('w1', 0, 10)).toEqual([])
  })
})
