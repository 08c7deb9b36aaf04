import { describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { notificationRepoContract } from '../../storage/notification-repo.contract.ts'
import { PgNotifications } from './notifications.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres)('PostgreSQL notifications', () => {
  const pg = usePgDatabase(postgres)

  // Each test starts from empty tables (usePgDatabase empties them before each).
  notificationRepoContract('PostgreSQL', async () => new PgNotifications(pg.pool))

  it('folds replies added by two nodes at once into one unread item', async () => {
    const a = new PgNotifications(pg.pool)
    const b = new PgNotifications(pg.node('b'))
    const replies = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? b : a).add({
        userId: 'u1',
        type: i === 7 ? 'mention' : 'reply',
        actor: { id: `a${i}`, name: `A${i}` },
        boardId: 'b1',
        threadId: 't1',
        commentId: `c${i}`,
      }),
    )
    const added = await Promise.all(replies)
    expect(new Set(added.map((n) => n.id)).size).toBe(1)
    const [item] = await a.list('u1', { unreadOnly: true, limit: 10 })
    expect(item).toMatchObject({ count: 20, type: 'mention' })
    expect(await b.unreadCount('u1')).toBe(1)
  })
})
