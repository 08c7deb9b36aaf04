/**
 * What every share-link repository must do (share-links-repo.ts), as one suite each family of
 * stores registers: `shareLinksRepoContract('SQLite', open)`. `open()` gives empty stores.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ShareLink } from './share-links-repo.ts'
import type { Stores } from './stores.ts'

const ann = { id: 'ann', name: 'Ann', color: '#f00' }

export function shareLinksRepoContract(name: string, open: () => Promise<Stores>): void {
  describe(`share links contract: ${name}`, () => {
    const now = 1_000_000
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(now)
    })
    afterEach(() => vi.useRealTimers())

    /** Stores with ann's workspace w1 and its boards b1 and b2. */
    async function withBoards() {
      const stores = await open()
      await stores.directory.ensureUser(ann)
      await stores.directory.createWorkspace({
        id: 'w1',
        name: 'W',
        createdBy: 'ann',
        createdAt: now,
      })
      for (const id of ['b1', 'b2'])
        await stores.directory.createBoard({
          id,
          workspaceId: 'w1',
          title: id,
          createdBy: 'ann',
          createdAt: now,
        })
      return stores
    }

    const link = (id: string, extra: Partial<ShareLink> = {}): ShareLink => ({
      id,
      boardId: 'b1',
      role: 'reviewer',
      createdBy: 'ann',
      createdAt: now,
      expiresAt: now + 60_000,
      revokedAt: null,
      ...extra,
    })

    it('finds a link by its token (with its password hash) and by id', async () => {
      const { shareLinks } = await withBoards()
      await shareLinks.create(link('l1', { role: 'viewer' }), 'token-1', 'pw-hash')
      expect(await shareLinks.byToken('token-1')).toEqual({
        ...link('l1', { role: 'viewer' }),
        passwordHash: 'pw-hash',
      })
      expect(await shareLinks.byToken('token-2')).toBeUndefined()
      expect(await shareLinks.byId('l1')).toEqual(link('l1', { role: 'viewer' }))
      expect(await shareLinks.byId('none')).toBeUndefined()
    })

    it('lists a board’s links in creation order, with their password and guest counts; revokes once', async () => {
      const { shareLinks, accounts } = await withBoards()
      await shareLinks.create(link('lb', { createdAt: now + 1 }), 'token-b', null)
      // Same time: ids in byte order ('Z' before 'a').
      await shareLinks.create(link('la', { createdAt: now + 1 }), 'token-a', 'pw')
      await shareLinks.create(link('lZ', { createdAt: now + 1 }), 'token-z', null)
      await shareLinks.create(link('l0'), 'token-0', null)
      await shareLinks.create(link('lx', { boardId: 'b2' }), 'token-x', null)
      await accounts.createGuestUser({ id: 'g1', name: 'G1', color: '#000' })
      await shareLinks.addGuest('g1', 'la', now)
      const listed = await shareLinks.ofBoard('b1')
      expect(listed.map((l) => [l.id, l.hasPassword, l.guests])).toEqual([
        ['l0', false, 0],
        ['lZ', false, 0],
        ['la', true, 1],
        ['lb', false, 0],
      ])
      expect(listed[0]).toEqual({ ...link('l0'), hasPassword: false, guests: 0 })
      expect(await shareLinks.revoke('la', now + 5)).toBe(true)
      expect(await shareLinks.revoke('la', now + 6)).toBe(false)
      expect((await shareLinks.byId('la'))?.revokedAt).toBe(now + 5)
    })

    it('binds guests to their link: whose guest, a link’s guests, a board’s guests by join time then name', async () => {
      const { shareLinks, accounts } = await withBoards()
      await shareLinks.create(link('l1'), 'token-1', null)
      await shareLinks.create(link('l2', { role: 'viewer' }), 'token-2', null)
      const guests = [
        { id: 'g1', name: 'Zed', color: '#001', link: 'l1', at: now + 2 },
        { id: 'g2', name: 'Carl', color: '#002', link: 'l2', at: now + 1 },
        { id: 'g3', name: 'bea', color: '#003', link: 'l1', at: now + 2 },
      ]
      for (const g of guests) {
        await accounts.createGuestUser({ id: g.id, name: g.name, color: g.color })
        await shareLinks.addGuest(g.id, g.link, g.at)
      }
      expect(await shareLinks.guestOf('g2')).toEqual({
        userId: 'g2',
        linkId: 'l2',
        boardId: 'b1',
        role: 'viewer',
        expiresAt: now + 60_000,
        revokedAt: null,
      })
      expect(await shareLinks.guestOf('ann')).toBeUndefined()
      expect((await shareLinks.guestsOfLink('l1')).sort()).toEqual(['g1', 'g3'])
      expect(await shareLinks.guestsOfBoard('b1')).toEqual([
        { id: 'g2', name: 'Carl', color: '#002', role: 'viewer' },
        { id: 'g3', name: 'bea', color: '#003', role: 'reviewer' },
        { id: 'g1', name: 'Zed', color: '#001', role: 'reviewer' },
      ])
      expect(await shareLinks.guestsOfBoard('b2')).toEqual([])
    })

    it('finds links revoked or expired whose guests are not cut off yet, until marked ended', async () => {
      const { shareLinks } = await withBoards()
      await shareLinks.create(link('live'), 'token-1', null)
      await shareLinks.create(link('expired', { expiresAt: now }), 'token-2', null)
      await shareLinks.create(link('revoked'), 'token-3', null)
      await shareLinks.revoke('revoked', now)
      expect((await shareLinks.dueToEnd(now)).sort()).toEqual(['expired', 'revoked'])
      await shareLinks.markEnded('expired', now)
      expect(await shareLinks.dueToEnd(now)).toEqual(['revoked'])
      expect((await shareLinks.dueToEnd(now + 60_000)).sort()).toEqual(['live', 'revoked'])
    })
  })
}
