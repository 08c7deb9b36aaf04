/**
 * What every notification store must do (notification-repo.ts), as one suite each
 * implementation registers: `notificationRepoContract('SQLite', open)`. `open()` gives an
 * empty store. Times come from Date, faked here so ordering is decided, not left to the ms.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { NewNotification, NotificationRepo } from './notification-repo.ts'

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }

const comment = (
  type: 'mention' | 'reply',
  commentId: string,
  extra: Partial<NewNotification> = {},
): NewNotification => ({
  userId: 'u1',
  type,
  actor: ann,
  boardId: 'b1',
  threadId: 't1',
  commentId,
  ...extra,
})

export function notificationRepoContract(
  name: string,
  open: () => Promise<NotificationRepo>,
): void {
  describe(`notification store contract: ${name}`, () => {
    let now = 1_000_000
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(now)
    })
    afterEach(() => vi.useRealTimers())
    const later = () => vi.setSystemTime((now += 1000))

    it('stores a notification with every field, and lists it', async () => {
      const store = await open()
      const added = await store.add({
        userId: 'u1',
        type: 'assigned',
        actor: ann,
        boardId: 'b1',
        taskId: 'task1',
        data: { title: 'Ship it', nested: { n: 1 } },
      })
      expect(added).toEqual({
        id: expect.any(String),
        type: 'assigned',
        actor: ann,
        boardId: 'b1',
        threadId: null,
        commentId: null,
        taskId: 'task1',
        count: 1,
        data: { title: 'Ship it', nested: { n: 1 } },
        createdAt: now,
        updatedAt: now,
        readAt: null,
      })
      expect(await store.list('u1', { unreadOnly: false, limit: 10 })).toEqual([added])
      expect(await store.list('u2', { unreadOnly: false, limit: 10 })).toEqual([])
      expect(await store.unreadCount('u1')).toBe(1)
    })

    it('folds comments in one thread into one unread item; a mention stays a mention', async () => {
      const store = await open()
      const first = await store.add(comment('mention', 'c1'))
      later()
      const second = await store.add(comment('reply', 'c2', { actor: bob }))
      expect(second).toMatchObject({
        id: first.id,
        type: 'mention',
        actor: bob,
        commentId: 'c2',
        count: 2,
        createdAt: first.createdAt,
        updatedAt: now,
      })
      // Another thread, another user, or a type that does not fold: items of their own.
      await store.add(comment('reply', 'c3', { threadId: 't2' }))
      await store.add(comment('reply', 'c4', { userId: 'u2' }))
      await store.add({ userId: 'u1', type: 'assigned', actor: ann, boardId: 'b1', threadId: 't1' })
      expect(await store.unreadCount('u1')).toBe(3)
      expect(await store.unreadCount('u2')).toBe(1)
    })

    it('starts a new item once the folded one is read', async () => {
      const store = await open()
      const first = await store.add(comment('reply', 'c1'))
      expect(await store.markRead('u1', [first.id])).toBe(1)
      later()
      const next = await store.add(comment('reply', 'c2'))
      expect(next.id).not.toBe(first.id)
      expect(next.count).toBe(1)
      const all = await store.list('u1', { unreadOnly: false, limit: 10 })
      expect(all.map((n) => [n.id, n.readAt])).toEqual([
        [next.id, null],
        [first.id, now - 1000],
      ])
    })

    it('lists newest change first, unread only on request, up to the limit', async () => {
      const store = await open()
      const a = await store.add(comment('reply', 'c1', { threadId: 'ta' }))
      later()
      const b = await store.add(comment('reply', 'c2', { threadId: 'tb' }))
      later()
      const c = await store.add(comment('reply', 'c3', { threadId: 'tc' }))
      later()
      await store.add(comment('reply', 'c4', { threadId: 'ta' }))
      await store.markRead('u1', [b.id])
      const ids = async (unreadOnly: boolean, limit = 10) =>
        (await store.list('u1', { unreadOnly, limit })).map((n) => n.id)
      expect(await ids(false)).toEqual([a.id, c.id, b.id])
      expect(await ids(true)).toEqual([a.id, c.id])
      expect(await ids(false, 2)).toEqual([a.id, c.id])
    })

    it("marks only the user's own unread items read", async () => {
      const store = await open()
      const mine = await store.add(comment('mention', 'c1'))
      const theirs = await store.add(comment('mention', 'c2', { userId: 'u2' }))
      expect(await store.markRead('u1', [mine.id, theirs.id, 'nope'])).toBe(1)
      expect(await store.markRead('u1', [mine.id])).toBe(0)
      expect(await store.unreadCount('u1')).toBe(0)
      expect(await store.unreadCount('u2')).toBe(1)
    })
  })
}
