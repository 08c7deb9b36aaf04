import { describe, expect, it, vi } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { directoryRepoContract } from '../../storage/directory-repo.contract.ts'
import { PgDirectory } from './directory.ts'
import { PgDocStore } from './doc-store.ts'
import type { PgPool } from './pool.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL directory', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  directoryRepoContract('PostgreSQL', async () => new PgDirectory(pg.pool))

  it('makes boards a node can take: the first takeover is epoch 1', async () => {
    const directory = new PgDirectory(pg.pool)
    await directory.ensureUser({ id: 'ann', name: 'Ann', color: '#f00' })
    await directory.createWorkspace({ id: 'w1', name: 'W', createdBy: 'ann', createdAt: 1 })
    await directory.createBoard({
      id: 'b1',
      workspaceId: 'w1',
      title: 'B',
      createdBy: 'ann',
      createdAt: 1,
    })
    expect(await new PgDocStore(pg.pool, 'a').takeOwnership('b1')).toBe(1)
  })

  it('gives two nodes creating one user at once the same stored user', async () => {
    const a = new PgDirectory(pg.pool)
    const b = new PgDirectory(pg.node('b'))
    const users = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? b : a).ensureUser({ id: 'local', name: 'Local', color: `#${i}${i}${i}` }),
      ),
    )
    expect(new Set(users.map((user) => user.color)).size).toBe(1)
  })

  it('keeps a workspace owned when two nodes demote its two owners at once', async () => {
    const setup = new PgDirectory(pg.pool)
    for (const id of ['ann', 'carl']) await setup.ensureUser({ id, name: id, color: '#000' })
    await setup.createWorkspace({ id: 'w1', name: 'W', createdBy: 'ann', createdAt: 1 })
    await setup.setMember('w1', 'carl', 'owner')
    let bCounted = false
    const nodeB = pg.node('b')
    // The rule as the auth service applies it, in one transaction per node.
    const demote = (
      pool: PgPool,
      userId: string,
      counted: () => void,
      proceed: () => Promise<void>,
    ) =>
      pool.transaction(async (tx) => {
        const directory = new PgDirectory(tx)
        await directory.lockWorkspace('w1')
        const owners = await directory.ownerCount('w1')
        counted()
        await proceed()
        if (owners > 1) await directory.setMember('w1', userId, 'editor')
      })
    let aCounted!: () => void
    const aReady = new Promise<void>((resolve) => (aCounted = resolve))
    const a = demote(pg.pool, 'ann', aCounted, async () => {
      // A goes on once B has counted too, or is held off by A's lock: whichever happens.
      await vi.waitFor(
        async () => {
          const held = await pg.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE application_name = 'loupe-test-b'
             AND wait_event_type = 'Lock'`,
          )
          expect(bCounted || held.rowCount === 1).toBe(true)
        },
        { timeout: 5000, interval: 20 },
      )
    })
    await aReady
    const b = demote(
      nodeB,
      'carl',
      () => (bCounted = true),
      async () => {},
    )
    await Promise.all([a, b])
    expect(await setup.ownerCount('w1')).toBe(1)
  })
})
