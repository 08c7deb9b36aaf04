/**
 * What every event log must do (event-store.ts), as one suite each implementation registers:
 * `eventStoreContract('SQLite', open)`. `open()` gives an empty log and `reopen()` a second
 * one over the same kept data, standing in for a restart or another node.
 */
import { describe, expect, it } from 'vitest'
import type { LoupeEvent } from '../../shared/protocol/events.ts'
import type { EventStore } from './event-store.ts'

export interface EventStoreUnderTest {
  log: EventStore
  reopen(): Promise<EventStore>
}

/** A board event at `ts`, its data marked with `n` so reads can be told apart. */
export const eventAt = (ts: number, n: number, boardId: string | null = 'b1'): LoupeEvent =>
  ({
    type: 'task.created',
    ts,
    actor: { id: 'u1', name: 'Ann' },
    ...(boardId ? { boardId } : {}),
    data: { taskId: `t${n}`, title: `Task ${n}` },
  }) as LoupeEvent

const seqs = async (log: EventStore, stream: string, after = 0) =>
  (await log.read(stream, after, 1000)).map((e) => e.seq)

export function eventStoreContract(name: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`event log contract: ${name}`, () => {
    it('[E1] numbers each stream from 1 without gaps, streams apart', async () => {
      const { log } = await open()
      const a = 'board:b1'
      const b = 'workspace:w1'
      const seen = []
      for (let n = 1; n <= 3; n++) seen.push((await log.append(a, eventAt(1000 + n, n))).seq)
      seen.push((await log.append(b, eventAt(2000, 9, null))).seq)
      seen.push((await log.append(a, eventAt(1004, 4))).seq)
      expect(seen).toEqual([1, 2, 3, 1, 4])
      expect(await seqs(log, a)).toEqual([1, 2, 3, 4])
      expect(await seqs(log, b)).toEqual([1])
      expect(await log.info(a)).toMatchObject({ lastSeq: 4, firstSeq: 1 })
    })

    it('[E2] reads after a sequence, in order and up to a limit, each event as it was given', async () => {
      const { log } = await open()
      const stream = 'board:b1'
      const strange = { taskId: 't\u0000', title: 'ünïcødé "quoted" \u0000 and \\ 🎉' }
      for (let n = 1; n <= 5; n++) await log.append(stream, eventAt(1000 + n, n))
      await log.append(stream, { ...eventAt(1006, 6, null), data: strange } as LoupeEvent)
      expect(await log.read(stream, 2, 2)).toEqual([
        { seq: 3, event: eventAt(1003, 3) },
        { seq: 4, event: eventAt(1004, 4) },
      ])
      expect(await log.read(stream, 5, 10)).toEqual([
        { seq: 6, event: { ...eventAt(1006, 6, null), data: strange } },
      ])
      expect(await log.read(stream, 6, 10)).toEqual([])
      expect(await log.read('board:none', 0, 10)).toEqual([])
    })

    it('[E3] gives each stream an epoch that stays through appends and restarts', async () => {
      const { log, reopen } = await open()
      const fresh = await log.info('board:b1')
      expect(fresh).toEqual({ epoch: expect.any(String), lastSeq: 0, firstSeq: 1 })
      const { epoch } = await log.append('board:b1', eventAt(1000, 1))
      expect(epoch).toBe(fresh.epoch)
      expect((await log.info('board:b2')).epoch).not.toBe(epoch)
      const later = await reopen()
      expect(await later.info('board:b1')).toEqual({ epoch, lastSeq: 1, firstSeq: 1 })
      expect(await later.append('board:b1', eventAt(1001, 2))).toEqual({ seq: 2, epoch })
    })

    it('[E4] keeps at most the newest events per stream, moving the first kept sequence', async () => {
      const { log } = await open()
      for (let n = 1; n <= 10; n++) await log.append('board:b1', eventAt(1000 + n, n))
      for (let n = 1; n <= 3; n++) await log.append('board:b2', eventAt(1000 + n, n))
      const removed = await log.prune({ maxAgeMs: 1e9, maxPerStream: 4 }, 2000)
      expect(removed).toBe(6)
      expect(await log.info('board:b1')).toMatchObject({ lastSeq: 10, firstSeq: 7 })
      expect(await seqs(log, 'board:b1')).toEqual([7, 8, 9, 10])
      expect(await log.info('board:b2')).toMatchObject({ lastSeq: 3, firstSeq: 1 })
      expect((await log.append('board:b1', eventAt(1011, 11))).seq).toBe(11)
    })

    it('[E4] drops events older than the age limit; an emptied stream goes on from its last seq', async () => {
      const { log } = await open()
      for (let n = 1; n <= 5; n++) await log.append('board:b1', eventAt(1000 * n, n))
      for (let n = 1; n <= 2; n++) await log.append('board:b2', eventAt(n, n))
      expect(await log.prune({ maxAgeMs: 2500, maxPerStream: 100 }, 5000)).toBe(4)
      expect(await log.info('board:b1')).toMatchObject({ lastSeq: 5, firstSeq: 3 })
      expect(await seqs(log, 'board:b1')).toEqual([3, 4, 5])
      expect(await log.info('board:b2')).toMatchObject({ lastSeq: 2, firstSeq: 3 })
      expect(await seqs(log, 'board:b2')).toEqual([])
      expect((await log.append('board:b2', eventAt(6000, 3))).seq).toBe(3)
      expect(await seqs(log, 'board:b2')).toEqual([3])
    })
  })
}
