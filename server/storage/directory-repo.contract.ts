/**
 * What every directory must do (directory-repo.ts), as one suite each implementation
 * registers: `directoryRepoContract('SQLite', open)`. `open()` gives an empty directory.
 * Times come from Date, faked so orders are decided; ties fall back to ids in byte order and
 * to names regardless of case (SQLite's BINARY and NOCASE), never to a locale's order.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DirectoryRepo, User } from './directory-repo.ts'

const ann: User = { id: 'ann', name: 'Ann', color: '#f00' }
const bob: User = { id: 'bob', name: 'bob', color: '#0f0' }
const carl: User = { id: 'carl', name: 'Carl', color: '#00f' }

export function directoryRepoContract(name: string, open: () => Promise<DirectoryRepo>): void {
  describe(`directory contract: ${name}`, () => {
    let now = 1_000_000
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(now)
    })
    afterEach(() => vi.useRealTimers())
    const later = () => vi.setSystemTime((now += 1000))

    /** A directory with ann, bob and carl, and ann's workspace w1. */
    async function withWorkspace() {
      const directory = await open()
      for (const user of [ann, bob, carl]) await directory.ensureUser(user)
      await directory.createWorkspace({ id: 'w1', name: 'One', createdBy: 'ann', createdAt: now })
      return directory
    }

    it('creates a user once; later calls get the stored one', async () => {
      const directory = await open()
      expect(await directory.ensureUser(ann)).toEqual(ann)
      expect(await directory.ensureUser({ ...ann, name: 'Other', color: '#000' })).toEqual(ann)
      expect(await directory.user('ann')).toEqual(ann)
      expect(await directory.user('nobody')).toBeUndefined()
    })

    it('refuses a second user whose name differs only in case', async () => {
      const directory = await open()
      await directory.ensureUser(ann)
      await expect(
        directory.ensureUser({ id: 'ann2', name: 'ANN', color: '#000' }),
      ).rejects.toThrow()
      expect(await directory.user('ann2')).toBeUndefined()
    })

    it('makes the creator of a workspace its owner, and lists workspaces in creation order', async () => {
      const directory = await withWorkspace()
      expect(await directory.workspace('w1')).toEqual({
        id: 'w1',
        name: 'One',
        createdBy: 'ann',
        createdAt: now,
      })
      expect(await directory.roleIn('w1', 'ann')).toBe('owner')
      // Same time: ids in byte order ('B' before 'a').
      await directory.createWorkspace({ id: 'aw', name: 'A', createdBy: 'bob', createdAt: now + 5 })
      await directory.createWorkspace({ id: 'Bw', name: 'B', createdBy: 'ann', createdAt: now + 5 })
      expect((await directory.allWorkspaces()).map((w) => w.id)).toEqual(['w1', 'Bw', 'aw'])
      expect(
        (await directory.workspacesOf('ann')).map((w) => [w.id, w.role, w.name, w.createdBy]),
      ).toEqual([
        ['w1', 'owner', 'One', 'ann'],
        ['Bw', 'owner', 'B', 'ann'],
      ])
      expect(await directory.workspace('none')).toBeUndefined()
    })

    it('adds members, changes roles keeping the join time, removes them', async () => {
      const directory = await withWorkspace()
      later()
      await directory.setMember('w1', 'bob', 'viewer')
      await directory.setMember('w1', 'carl', 'reviewer')
      const joined = now
      later()
      await directory.setMember('w1', 'bob', 'editor')
      expect(await directory.members('w1')).toEqual([
        { ...ann, role: 'owner', joinedAt: joined - 1000 },
        // Same join time: names in order whatever their case ('bob' before 'Carl').
        { ...bob, role: 'editor', joinedAt: joined },
        { ...carl, role: 'reviewer', joinedAt: joined },
      ])
      expect(await directory.roleIn('w1', 'bob')).toBe('editor')
      expect(await directory.ownerCount('w1')).toBe(1)
      await directory.setMember('w1', 'carl', 'owner')
      expect(await directory.ownerCount('w1')).toBe(2)
      expect(await directory.removeMember('w1', 'carl')).toBe(true)
      expect(await directory.removeMember('w1', 'carl')).toBe(false)
      expect(await directory.roleIn('w1', 'carl')).toBeUndefined()
      expect((await directory.workspacesOf('carl')).map((w) => w.id)).toEqual([])
    })

    it('creates, lists, renames and archives boards', async () => {
      const directory = await withWorkspace()
      const created = await directory.createBoard({
        id: 'b1',
        workspaceId: 'w1',
        title: 'First',
        createdBy: 'ann',
        createdAt: now,
      })
      expect(created).toEqual({
        id: 'b1',
        workspaceId: 'w1',
        title: 'First',
        createdBy: 'ann',
        createdAt: now,
        updatedAt: now,
        archivedAt: null,
      })
      expect(await directory.board('b1')).toEqual(created)
      await directory.createBoard({
        id: 'b0',
        workspaceId: 'w1',
        title: 'Second',
        createdBy: 'bob',
        createdAt: now + 1,
      })
      later()
      await directory.renameBoard('b1', 'Renamed')
      expect(await directory.board('b1')).toMatchObject({ title: 'Renamed', updatedAt: now })
      later()
      expect(await directory.archiveBoard('b0')).toBe(true)
      expect(await directory.archiveBoard('b0')).toBe(false)
      expect((await directory.boardsOf('w1')).map((b) => b.id)).toEqual(['b1'])
      expect(await directory.boardsOf('w1', true)).toEqual([
        await directory.board('b1'),
        { ...(await directory.board('b0')), archivedAt: now, updatedAt: now },
      ])
      expect(await directory.board('none')).toBeUndefined()
      // An owner's undo brings it back, once.
      later()
      expect(await directory.unarchiveBoard('b0')).toBe(true)
      expect(await directory.unarchiveBoard('b0')).toBe(false)
      expect(await directory.unarchiveBoard('b1')).toBe(false)
      expect(await directory.board('b0')).toMatchObject({ archivedAt: null, updatedAt: now })
      expect((await directory.boardsOf('w1')).map((b) => b.id)).toEqual(['b1', 'b0'])
    })
  })
}
