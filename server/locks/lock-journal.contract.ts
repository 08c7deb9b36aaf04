/**
 * What every lock journal must do (lock-journal.ts), as one suite each implementation
 * registers: `lockJournalContract('PostgreSQL', open)`. `open()` gives an empty journal.
 */
import { describe, expect, it } from 'vitest'
import {
  FenceRegressionError,
  type LockJournal,
  type LockJournalEntry,
  type LockJournalKind,
} from './lock-journal.ts'

const ann = { id: 'ann', name: 'Ann' }
const bob = { id: 'bob', name: 'Bob' }

function entry(
  kind: LockJournalKind,
  token: number,
  extra: Partial<LockJournalEntry> = {},
): LockJournalEntry {
  return {
    kind,
    key: 'b1/task/t1',
    boardId: 'b1',
    token,
    holder: ann,
    sessionId: 's1',
    requestId: null,
    acquiredAt: 1_000 + token,
    expiresAt: kind === 'queued' || kind === 'dequeued' ? 0 : 61_000 + token,
    ttlMs: 60_000,
    reason: kind === 'released' ? 'released' : null,
    at: 1_000 + token,
    ...extra,
  }
}

export function lockJournalContract(name: string, open: () => Promise<LockJournal>): void {
  describe(`lock journal contract: ${name}`, () => {
    it('[L2] refuses a granted token that is not above every earlier one for its key', async () => {
      const journal = await open()
      await journal.record([entry('granted', 5)])
      await journal.record([entry('granted', 3, { key: 'b1/task/t2' })])
      for (const token of [5, 4])
        await expect(journal.record([entry('granted', token, { holder: bob })])).rejects.toThrow(
          FenceRegressionError,
        )
      await journal.record([entry('released', 5), entry('granted', 6, { holder: bob })])
      const held = (await journal.latest()).held.sort((x, y) => x.key.localeCompare(y.key))
      expect(held).toEqual([
        entry('granted', 6, { holder: bob }),
        entry('granted', 3, { key: 'b1/task/t2' }),
      ])
    })

    it('records all of a batch or none of it', async () => {
      const journal = await open()
      await journal.record([entry('granted', 5)])
      await expect(
        journal.record([
          entry('released', 5),
          entry('granted', 6, { holder: bob }),
          entry('granted', 6, { holder: bob, sessionId: 's2' }),
        ]),
      ).rejects.toThrow(FenceRegressionError)
      expect((await journal.latest()).held).toEqual([entry('granted', 5)])
      // Nothing of the failed batch counts, its token included.
      await journal.record([entry('released', 5), entry('granted', 6, { holder: bob })])
      expect((await journal.latest()).held).toEqual([entry('granted', 6, { holder: bob })])
    })

    it('accepts the same grant recorded again, and nothing else under its token', async () => {
      const journal = await open()
      await journal.record([entry('granted', 5)])
      await journal.record([entry('granted', 5)])
      await expect(journal.record([entry('granted', 5, { acquiredAt: 9_999 })])).rejects.toThrow(
        FenceRegressionError,
      )
      expect((await journal.latest()).held).toEqual([entry('granted', 5)])
    })

    it('[L8] rebuilds from the data, whatever order nodes recorded it in', async () => {
      const journal = await open()
      // A release of token 1 arrives after the grant of token 2 (two nodes raced to PostgreSQL).
      await journal.record([entry('granted', 1)])
      await journal.record([entry('granted', 2, { holder: bob, sessionId: null })])
      await journal.record([entry('released', 1)])
      // Renewals keep the latest expiry; a release of the same token ends it for good.
      await journal.record([
        entry('renewed', 2, { holder: bob, sessionId: null, expiresAt: 99_000 }),
      ])
      await journal.record([
        entry('renewed', 2, { holder: bob, sessionId: null, expiresAt: 80_000 }),
      ])
      const t3 = { key: 'b1/task/t3' }
      await journal.record([entry('granted', 7, t3)])
      await journal.record([entry('released', 7, t3)])
      await journal.record([entry('renewed', 7, { ...t3, expiresAt: 999_999 })])
      expect((await journal.latest()).held).toEqual([
        entry('renewed', 2, { holder: bob, sessionId: null, expiresAt: 99_000 }),
      ])
    })

    it('[L6][L8] keeps waiters still queued, in ticket order', async () => {
      const journal = await open()
      const bobWaits = { holder: bob, sessionId: 's2' }
      await journal.record([entry('queued', 12, bobWaits)])
      await journal.record([entry('queued', 11)])
      await journal.record([entry('queued', 13, { holder: bob, sessionId: null })])
      await journal.record([
        entry('dequeued', 13, { holder: bob, sessionId: null, reason: 'cancelled' }),
      ])
      await journal.record([entry('dequeued', 14, { key: 'b1/task/t9', reason: 'granted' })])
      await journal.record([entry('queued', 14, { key: 'b1/task/t9' })])
      expect((await journal.latest()).waiting).toEqual([
        entry('queued', 11),
        entry('queued', 12, bobWaits),
      ])
    })
  })
}
