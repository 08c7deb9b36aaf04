/**
 * What every accounts repository must do (accounts-repo.ts), as one suite each family of
 * stores registers: `accountsRepoContract('SQLite', open)`. `open()` gives empty stores.
 * Races are real on PostgreSQL (several pooled connections); on SQLite calls run in turn.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { NameTakenError } from './accounts-repo.ts'
import type { Stores } from './stores.ts'

const ann = { id: 'ann', name: 'Ann', color: '#f00' }
const bob = { id: 'bob', name: 'bob', color: '#0f0' }
const guest = { id: 'gus', name: 'Gus', color: '#00f' }

export function accountsRepoContract(name: string, open: () => Promise<Stores>): void {
  describe(`accounts contract: ${name}`, () => {
    let now = 1_000_000
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(now)
    })
    afterEach(() => vi.useRealTimers())
    const later = () => vi.setSystemTime((now += 1000))

    it('has an owner once a user with a password exists (a guest is none)', async () => {
      const { accounts } = await open()
      expect(await accounts.hasOwner()).toBe(false)
      await accounts.createGuestUser(guest)
      expect(await accounts.hasOwner()).toBe(false)
      await accounts.createUser(ann, 'hash-a')
      expect(await accounts.hasOwner()).toBe(true)
    })

    it('finds a user by name whatever its case, and refuses a name taken in another case', async () => {
      const { accounts } = await open()
      expect(await accounts.createUser(ann, 'hash-a')).toEqual(ann)
      expect(await accounts.userByName('aNN')).toEqual({
        user: ann,
        passwordHash: 'hash-a',
        disabled: false,
      })
      expect(await accounts.userByName('nobody')).toBeUndefined()
      await expect(accounts.createUser({ ...bob, name: 'ANN' }, 'hash-b')).rejects.toThrow(
        NameTakenError,
      )
      await expect(accounts.createGuestUser({ ...guest, name: 'ann' })).rejects.toThrow(
        NameTakenError,
      )
      await accounts.setPassword('ann', 'hash-new')
      expect((await accounts.userByName('Ann'))?.passwordHash).toBe('hash-new')
    })

    it('ends a user’s tokens by raising their epoch', async () => {
      const { accounts } = await open()
      await accounts.createUser(ann, 'hash-a')
      await accounts.createUser(bob, 'hash-b')
      expect(await accounts.activeAccount('ann')).toEqual({ user: ann, tokenEpoch: 0 })
      expect(await accounts.tokenEpochs()).toEqual(new Map())
      await accounts.endTokens('ann')
      await accounts.endTokens('ann')
      expect(await accounts.activeAccount('ann')).toEqual({ user: ann, tokenEpoch: 2 })
      expect(await accounts.tokenEpochs()).toEqual(new Map([['ann', 2]]))
      expect(await accounts.activeUser('bob')).toEqual(bob)
      expect(await accounts.activeUser('nobody')).toBeUndefined()
    })

    it('counts a guest active only while the link they joined lives', async () => {
      const { accounts, shareLinks, directory } = await open()
      await directory.ensureUser(ann)
      await directory.createWorkspace({ id: 'w1', name: 'W', createdBy: 'ann', createdAt: now })
      await directory.createBoard({
        id: 'b1',
        workspaceId: 'w1',
        title: 'B',
        createdBy: 'ann',
        createdAt: now,
      })
      const link = {
        id: 'l1',
        boardId: 'b1',
        role: 'reviewer' as const,
        createdBy: 'ann',
        createdAt: now,
        expiresAt: now + 5000,
        revokedAt: null,
      }
      await shareLinks.create(link, 'token-1', null)
      await accounts.createGuestUser(guest)
      await shareLinks.addGuest(guest.id, 'l1', now)
      expect(await accounts.activeAccount(guest.id, now)).toEqual({ user: guest, tokenEpoch: 0 })
      expect(await accounts.activeAccount(guest.id, now + 5000)).toBeUndefined()
      await shareLinks.revoke('l1', now)
      expect(await accounts.activeUser(guest.id)).toBeUndefined()
    })

    it('keeps refresh tokens: spent once, revoked by family or by user, pruned once expired', async () => {
      const { accounts } = await open()
      await accounts.createUser(ann, 'hash-a')
      await accounts.storeRefresh('t1', 'ann', 'f1', now + 100)
      await accounts.storeRefresh('t2', 'ann', 'f1', now + 100)
      await accounts.storeRefresh('t3', 'ann', 'f2', now + 5000)
      expect(await accounts.refreshRecord('t1')).toEqual({
        userId: 'ann',
        family: 'f1',
        expiresAt: now + 100,
        usedAt: null,
        revokedAt: null,
      })
      expect(await accounts.refreshRecord('unknown')).toBeUndefined()
      later()
      expect(await accounts.spendRefresh('t1')).toBe(true)
      expect(await accounts.spendRefresh('t1')).toBe(false)
      expect((await accounts.refreshRecord('t1'))?.usedAt).toBe(now)
      await accounts.revokeFamily('f1')
      expect((await accounts.refreshRecord('t2'))?.revokedAt).toBe(now)
      expect((await accounts.refreshRecord('t3'))?.revokedAt).toBeNull()
      later()
      await accounts.revokeAllOf('ann')
      expect((await accounts.refreshRecord('t3'))?.revokedAt).toBe(now)
      expect((await accounts.refreshRecord('t2'))?.revokedAt).toBe(now - 1000)
      await accounts.pruneExpired()
      expect(await accounts.refreshRecord('t1')).toBeUndefined()
      expect(await accounts.refreshRecord('t3')).toBeDefined()
    })

    it('spends a refresh token once however many ask for it at once', async () => {
      const { accounts } = await open()
      await accounts.createUser(ann, 'hash-a')
      await accounts.storeRefresh('t1', 'ann', 'f1', now + 100)
      const spent = await Promise.all(Array.from({ length: 12 }, () => accounts.spendRefresh('t1')))
      expect(spent.filter(Boolean)).toHaveLength(1)
    })

    it('finds invites by code and counts their uses up to the limit, however many ask at once', async () => {
      const { accounts, directory } = await open()
      await directory.ensureUser(ann)
      await directory.createWorkspace({ id: 'w1', name: 'W', createdBy: 'ann', createdAt: now })
      const invite = {
        workspaceId: 'w1',
        role: 'editor' as const,
        createdBy: 'ann',
        expiresAt: now + 3600_000,
        maxUses: 3,
      }
      await accounts.createInvite({ ...invite, id: 'i1', createdAt: now }, 'code-1')
      later()
      await accounts.createInvite({ ...invite, id: 'i0', createdAt: now }, 'code-0')
      expect(await accounts.inviteByCode('code-1')).toEqual({
        ...invite,
        id: 'i1',
        createdAt: now - 1000,
        uses: 0,
        revokedAt: null,
      })
      expect(await accounts.inviteByCode('code-2')).toBeUndefined()
      const used = await Promise.all(Array.from({ length: 10 }, () => accounts.useInvite('i1')))
      expect(used.filter(Boolean)).toHaveLength(3)
      expect((await accounts.inviteByCode('code-1'))?.uses).toBe(3)
      expect((await accounts.invitesOf('w1')).map((i) => i.id)).toEqual(['i1', 'i0'])
    })
  })
}
