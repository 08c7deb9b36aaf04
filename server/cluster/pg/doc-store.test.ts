import { describe, expect, it } from 'vitest'
import { seedBoard, usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { docStoreContract } from '../../storage/doc-store.contract.ts'
import { PgDocStore } from './doc-store.ts'
import { PgUnavailableError } from './errors.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL DocStore', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  docStoreContract('PostgreSQL', async () => {
    const boards = new Set<string>()
    const store = new PgDocStore(pg.pool, 'a')
    return {
      store,
      board: async (boardId) => {
        await seedBoard(pg.pool, boardId)
        await store.takeOwnership(boardId)
        boards.add(boardId)
      },
      // A restarted node takes its boards again, as it would on the next socket.
      reopen: async () => {
        const later = new PgDocStore(pg.node('restarted'), 'a')
        for (const boardId of boards) await later.takeOwnership(boardId)
        return later
      },
    }
  })

  it('probes as a commit would: refused, as unavailable, while the database is read-only', async () => {
    const name = new URL(pg.url).pathname.slice(1)
    await pg.pool.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`)
    try {
      // The setting applies to new sessions: a node connecting now is on a read-only server.
      const store = new PgDocStore(pg.node('read-only'), 'a')
      const failure = await store.probe().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(PgUnavailableError)
      expect(failure).toMatchObject({ reason: '25006' })
    } finally {
      await pg.pool.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`)
    }
    await new PgDocStore(pg.node('writable'), 'a').probe()
    expect((await pg.pool.query('SELECT * FROM store_probe')).rowCount).toBe(0)
  })
})
