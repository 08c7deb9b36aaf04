/**
 * What every audit log must do (audit-repo.ts), as one suite each implementation registers:
 * `auditRepoContract('SQLite', open)`. `open()` gives an empty log.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AuditRepo } from './audit-repo.ts'

const ann = { id: 'ann', name: 'Ann' }

export function auditRepoContract(name: string, open: () => Promise<AuditRepo>): void {
  describe(`audit log contract: ${name}`, () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(5_000)
    })
    afterEach(() => vi.useRealTimers())

    it('lists a workspace’s entries in the order recorded, with every field', async () => {
      const log = await open()
      await log.record({ action: 'board.created', actor: ann, workspaceId: 'w1', target: 'b1' })
      await log.record({ action: 'auth.login_failed', actor: null, workspaceId: 'w1' })
      await log.record({ action: 'member.joined', actor: ann, workspaceId: 'w2', target: 'u2' })
      await log.record({
        action: 'lock.granted',
        actor: ann,
        workspaceId: 'w1',
        target: 'b1/task/t1',
        data: { token: 7, nested: { ok: true } },
      })
      const entries = await log.list('w1', 0, 10)
      expect(entries.map(({ id: _id, ...rest }) => rest)).toEqual([
        {
          workspaceId: 'w1',
          ts: 5_000,
          actor: ann,
          action: 'board.created',
          target: 'b1',
          data: null,
        },
        {
          workspaceId: 'w1',
          ts: 5_000,
          actor: null,
          action: 'auth.login_failed',
          target: null,
          data: null,
        },
        {
          workspaceId: 'w1',
          ts: 5_000,
          actor: ann,
          action: 'lock.granted',
          target: 'b1/task/t1',
          data: { token: 7, nested: { ok: true } },
        },
      ])
      const ids = entries.map((e) => e.id)
      expect(ids).toEqual([...ids].sort((a, b) => a - b))
      expect((await log.list('w2', 0, 10)).map((e) => e.action)).toEqual(['member.joined'])
    })

    it('pages after an id, up to a limit', async () => {
      const log = await open()
      for (let i = 0; i < 5; i++)
        await log.record({
          action: 'board.renamed',
          actor: ann,
          workspaceId: 'w1',
          target: `b${i}`,
        })
      const first = await log.list('w1', 0, 2)
      expect(first.map((e) => e.target)).toEqual(['b0', 'b1'])
      const next = await log.list('w1', first[1]?.id ?? 0, 10)
      expect(next.map((e) => e.target)).toEqual(['b2', 'b3', 'b4'])
      expect(await log.list('w1', next[2]?.id ?? 0, 10)).toEqual([])
    })
  })
}
