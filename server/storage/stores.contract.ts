/**
 * What every family of stores must do with transactions (stores.ts), as one suite each
 * registers: `storesContract('SQLite', open)`. `open()` gives empty stores; the repositories'
 * own rules have their own suites.
 */
import { describe, expect, it } from 'vitest'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { StoreTx, Stores } from './stores.ts'

const ann = { id: 'ann', name: 'Ann', color: '#f00' }

const resolved = (threadId: string): LoupeEvent => ({
  type: 'thread.resolved',
  ts: 1,
  actor: { id: ann.id, name: ann.name },
  boardId: 'b1',
  data: { threadId },
})

/** Writes through three repositories: a workspace (and its owner), an event, an audit row. */
async function writeAll(tx: StoreTx, workspaceId: string) {
  await tx.directory.createWorkspace({ id: workspaceId, name: 'W', createdBy: 'ann', createdAt: 1 })
  const { seq } = await tx.events.append(`workspace:${workspaceId}`, resolved('t'))
  await tx.audit.record({ action: 'board.created', actor: ann, workspaceId })
  return seq
}

async function stored(stores: Stores, workspaceId: string) {
  return {
    workspace: (await stores.directory.workspace(workspaceId)) !== undefined,
    events: (await stores.events.info(`workspace:${workspaceId}`)).lastSeq,
    audit: (await stores.audit.list(workspaceId, 0, 10)).length,
  }
}

export function storesContract(name: string, open: () => Promise<Stores>): void {
  describe(`stores contract: ${name}`, () => {
    it('commits what the work wrote through several repositories together, then runs its effects in order', async () => {
      const stores = await open()
      await stores.directory.ensureUser(ann)
      const heard: string[] = []
      const value = await stores.transaction(async (tx) => {
        const seq = await writeAll(tx, 'w1')
        tx.afterCommit(() => heard.push(`first ${seq}`))
        tx.afterCommit(() => heard.push('second'))
        // The work reads its own writes; nobody hears of them before the commit.
        expect(await tx.directory.roleIn('w1', 'ann')).toBe('owner')
        expect(heard).toEqual([])
        return seq
      })
      expect(value).toBe(1)
      expect(heard).toEqual(['first 1', 'second'])
      expect(await stored(stores, 'w1')).toEqual({ workspace: true, events: 1, audit: 1 })
    })

    it('keeps nothing of a transaction that throws, runs none of its effects, and passes the error on', async () => {
      const stores = await open()
      await stores.directory.ensureUser(ann)
      const heard: string[] = []
      await expect(
        stores.transaction(async (tx) => {
          await writeAll(tx, 'w1')
          tx.afterCommit(() => heard.push('committed'))
          throw new Error('refused halfway')
        }),
      ).rejects.toThrow('refused halfway')
      expect(heard).toEqual([])
      expect(await stored(stores, 'w1')).toEqual({ workspace: false, events: 0, audit: 0 })
    })

    it('refuses the repositories of a transaction that has ended', async () => {
      const stores = await open()
      let kept: StoreTx | undefined
      await stores.transaction(async (tx) => {
        kept = tx
      })
      await expect(kept?.audit.record({ action: 'auth.login', actor: ann })).rejects.toThrow(
        /ended/,
      )
      expect(() => kept?.afterCommit(() => {})).toThrow(/ended/)
    })

    it('runs an effect at once outside a transaction', async () => {
      const stores = await open()
      const heard: string[] = []
      stores.afterCommit(() => heard.push('now'))
      expect(heard).toEqual(['now'])
    })

    it('numbers the events of transactions run at once without a gap, and rolls back only the one that fails', async () => {
      const stores = await open()
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          stores.transaction(async (tx) => {
            const { seq } = await tx.events.append('board:b1', resolved(`t${i}`))
            await tx.audit.record({ action: 'auth.login', actor: ann, workspaceId: `w${i}` })
            if (i === 3) throw new Error('this one fails')
            return seq
          }),
        ),
      )
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1)
      const read = await stores.events.read('board:b1', 0, 100)
      expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7])
      expect(read.map((e) => (e.event.data as { threadId: string }).threadId).sort()).toEqual([
        't0',
        't1',
        't2',
        't4',
        't5',
        't6',
        't7',
      ])
      expect(await stores.audit.list('w3', 0, 10)).toEqual([])
      expect(await stores.audit.list('w4', 0, 10)).toHaveLength(1)
    })
  })
}
