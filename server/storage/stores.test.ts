import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { closeDb, openDb } from '../db/open.ts'
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

  it('commits the transactions asked for in one turn together: the WAL takes their pages once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loupe-tx-'))
    const file = join(dir, 'loupe.db')
    const db = openDb(file, { sync: 'normal' })
    const stores = new SqliteStores(db)
    // A second connection reads how many pages the WAL holds (and empties it between rounds).
    const reader = new Database(file)
    const walPages = (mode: 'PASSIVE' | 'TRUNCATE') =>
      (reader.pragma(`wal_checkpoint(${mode})`) as Array<{ log: number }>)[0]?.log ?? 0
    const record = (i: number) =>
      stores.transaction((tx) =>
        tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: `w${i}` }),
      )
    try {
      walPages('TRUNCATE')
      for (let i = 0; i < 20; i++) await record(i)
      const oneByOne = walPages('PASSIVE')
      walPages('TRUNCATE')
      await Promise.all(Array.from({ length: 20 }, (_, i) => record(100 + i)))
      const together = walPages('PASSIVE')
      expect(oneByOne).toBeGreaterThanOrEqual(20)
      expect(together * 5).toBeLessThanOrEqual(oneByOne)
      expect(await stores.audit.list('w119', 0, 10)).toHaveLength(1)
    } finally {
      reader.close()
      closeDb(db)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
