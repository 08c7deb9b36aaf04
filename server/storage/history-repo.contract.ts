/**
 * What every history store must do (history-repo.ts): versions and visits, as one suite each
 * family of stores registers: `historyRepoContract('SQLite', open)`. `open()` gives empty
 * stores.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { NewVersion } from './history-repo.ts'
import type { Stores } from './stores.ts'

/** A board's state with `text` in it, and its state vector. */
function stateOf(text: string, clientId = 1) {
  const doc = new Y.Doc()
  doc.clientID = clientId
  doc.getText('t').insert(0, text)
  return { state: Y.encodeStateAsUpdate(doc), stateVector: Y.encodeStateVector(doc), doc }
}

const version = (id: string, extra: Partial<NewVersion> = {}): NewVersion => ({
  id,
  boardId: 'b1',
  name: null,
  auto: true,
  createdAt: 1000,
  createdBy: null,
  ...stateOf(id),
  ...extra,
})

export function historyRepoContract(name: string, open: () => Promise<Stores>): void {
  describe(`history contract: ${name}`, () => {
    it('keeps a version’s state whole and lists a board’s versions newest first, ties in the order added', async () => {
      const { versions } = await open()
      const big = stateOf('x'.repeat(50_000))
      expect(
        await versions.add(version('v1', { ...big, name: 'First', auto: false, createdBy: 'ann' })),
      ).toEqual({ id: 'v1', name: 'First', createdAt: 1000, createdBy: 'ann', auto: false })
      await versions.add(version('vb', { createdAt: 2000 }))
      await versions.add(version('va', { createdAt: 2000 }))
      await versions.add(version('vz', { createdAt: 500, boardId: 'b2' }))
      expect((await versions.list('b1')).map((v) => v.id)).toEqual(['va', 'vb', 'v1'])
      expect(await versions.get('b1', 'vb')).toEqual({ id: 'vb', createdAt: 2000, auto: true })
      expect(await versions.get('b2', 'vb')).toBeUndefined()
      expect(await versions.state('b1', 'v1')).toEqual(big.state)
      expect(await versions.state('b1', 'none')).toBeUndefined()
    })

    it('finds automatic versions to thin, and removes them', async () => {
      const { versions } = await open()
      await versions.add(version('named', { auto: false, name: 'Keep', createdAt: 10 }))
      await versions.add(version('old', { createdAt: 10 }))
      await versions.add(version('new', { createdAt: 5000 }))
      await versions.add(version('other', { boardId: 'b2', createdAt: 20 }))
      expect((await versions.automatic('b1')).sort((a, b) => a.createdAt - b.createdAt)).toEqual([
        { id: 'old', createdAt: 10 },
        { id: 'new', createdAt: 5000 },
      ])
      expect((await versions.boardsWithAutomaticBefore(100)).sort()).toEqual(['b1', 'b2'])
      expect(await versions.boardsWithAutomaticBefore(10)).toEqual([])
      await versions.remove(['old', 'other'])
      await versions.remove([])
      expect((await versions.list('b1')).map((v) => v.id)).toEqual(['new', 'named'])
      expect(await versions.boardsWithAutomaticBefore(100)).toEqual([])
    })

    it('keeps where each user’s last visit to a board ended', async () => {
      const { visits } = await open()
      expect(await visits.lastVisit('ann', 'b1')).toBeNull()
      const { doc } = stateOf('seen')
      await visits.saveVisit('ann', 'b1', Y.encodeSnapshot(Y.snapshot(doc)), 100)
      doc.getText('t').insert(0, 'more ')
      await visits.saveVisit('ann', 'b1', Y.encodeSnapshot(Y.snapshot(doc)), 200)
      const last = await visits.lastVisit('ann', 'b1')
      expect(last?.endedAt).toBe(200)
      expect(last && Y.equalSnapshots(last.snapshot, Y.snapshot(doc))).toBe(true)
      expect(await visits.lastVisit('bob', 'b1')).toBeNull()
    })

    it('learns who writes through which client id: the first user seen keeps it', async () => {
      const stores = await open()
      const update = (boardId: string, clientId: number, userId: string | null) => ({
        boardId,
        userId,
        data: stateOf('x', clientId).state,
      })
      await stores.visits.learn([update('b1', 11, 'ann'), update('b1', 12, null)])
      await stores.visits.learn([update('b1', 11, 'bob'), update('b1', 13, 'bob')])
      await stores.visits.learn([update('b2', 11, 'bob')])
      expect(await stores.visits.clientsOf('b1', 'ann')).toEqual(new Set([11]))
      expect(await stores.visits.clientsOf('b1', 'bob')).toEqual(new Set([13]))
      expect(await stores.visits.clientsOf('b2', 'bob')).toEqual(new Set([11]))
      expect(await stores.visits.clientsOf('b1', 'carl')).toEqual(new Set())
    })
  })
}
