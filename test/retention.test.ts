/**
 * Event retention by age (README: LOUPE_EVENT_RETENTION_DAYS; PROTOCOL.md "Requests"): events
 * older than the limit are pruned when the server starts; a subscriber asking to resume from
 * before the first kept event gets `reset`, and `GET /api/events` reports `firstSeq` and `gap`.
 *
 * Old events are written with the server's own event store on the stopped server's database
 * (its SQLite file, or its PostgreSQL as a cluster node), each with the timestamp it would have
 * had days ago (the log stores the event's own `ts`).
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { configFromEnv, parseEnv } from '../server/config.ts'
import { SYSTEM_ACTOR, type LoupeEvent } from '../shared/protocol/events.ts'
import { createTask } from '../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { liveClient } from './live-client.ts'
import { withServerStores } from './stored-rows.ts'

afterEach(cleanup)

const DAY = 24 * 3600 * 1000

/** Retention as the server reads it from the environment. */
const retentionDays = (days: number) =>
  configFromEnv(parseEnv({ LOUPE_EVENT_RETENTION_DAYS: String(days) }), undefined).eventRetention

interface EventsPage {
  events: Array<{ seq: number; event: { type: string; ts: number } }>
  firstSeq: number
  lastSeq: number
  gap: boolean
}

describe('event retention by age', () => {
  it('prunes events older than LOUPE_EVENT_RETENTION_DAYS at start; older resumes get reset, and /api/events reports the gap', async () => {
    const dataDir = tempDir()
    const first = await startTestServer({ dataDir })
    const boardId = await first.createBoard('Archive')
    const stream = `board:${boardId}`
    await first.close()

    // Seqs 1–3 are 40 days old, 4–5 are 10 days old.
    const now = Date.now()
    await withServerStores(first, async ({ events }) => {
      for (const [i, age] of [40, 40, 40, 10, 10].entries()) {
        const event = {
          type: 'task.created',
          ts: now - age * DAY,
          actor: SYSTEM_ACTOR,
          boardId,
          data: { taskId: `old${i + 1}`, title: `${age} days ago`, status: 'todo' },
        } as LoupeEvent
        expect((await events.append(stream, event)).seq).toBe(i + 1)
      }
    })

    // Thirty days: the three 40-day-old events go at start, the 10-day-old ones stay.
    const t = await startTestServer({ dataDir, eventRetention: retentionDays(30) })
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    createTask(doc, { id: 'fresh', title: 'Today', order: 'a0', createdBy: 'local' })
    await eventually(async () => {
      const page = await t.api<EventsPage>(`/api/events?stream=${stream}&after=0`)
      expect(page.body.lastSeq).toBe(6)
    })

    const fromStart = await t.api<EventsPage>(`/api/events?stream=${stream}&after=0`)
    expect(fromStart.body).toMatchObject({ firstSeq: 4, lastSeq: 6, gap: true })
    expect(fromStart.body.events.map((e) => e.seq)).toEqual([4, 5, 6])
    // Pruned at start, not by the hourly timer.
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'event log pruned', removed: 3 }))
    const fromKept = await t.api<EventsPage>(`/api/events?stream=${stream}&after=3`)
    expect(fromKept.body).toMatchObject({ firstSeq: 4, gap: false })
    expect(fromKept.body.events.map((e) => e.seq)).toEqual([4, 5, 6])

    // Resuming from before the first kept event: reset, and no events replayed.
    const behind = await liveClient(t)
    await behind.hello()
    const reply = await behind.request({ type: 'subscribe', stream, afterSeq: 2 })
    expect(reply).toMatchObject({ ok: true, result: { stream, lastSeq: 6 } })
    const epoch = (reply.result as { epoch: string }).epoch
    expect(await behind.next((m) => m.type === 'reset')).toMatchObject({
      stream,
      epoch,
      lastSeq: 6,
    })
    // Resuming right at the edge replays every kept event, in order.
    const edge = await liveClient(t)
    await edge.hello()
    await edge.request({ type: 'subscribe', stream, afterSeq: 3 })
    await eventually(() => expect(edge.events(stream).map((e) => e.seq)).toEqual([4, 5, 6]))
    expect(edge.messages.some((m) => m.type === 'reset')).toBe(false)
    expect(behind.events(stream)).toEqual([])
    await t.close()

    // Seven days: the 10-day-old events go too; today's stays.
    const again = await startTestServer({ dataDir, eventRetention: retentionDays(7) })
    // Pruned at start (a cluster node's store answers asynchronously: wait for it).
    await eventually(() =>
      expect(again.logs).toContainEqual(
        expect.objectContaining({ msg: 'event log pruned', removed: 2 }),
      ),
    )
    const page = await again.api<EventsPage>(`/api/events?stream=${stream}&after=3`)
    expect(page.body).toMatchObject({ firstSeq: 6, lastSeq: 6, gap: true })
    expect(page.body.events.map((e) => e.seq)).toEqual([6])
    const late = await liveClient(again)
    await late.hello()
    await late.request({ type: 'subscribe', stream, afterSeq: 4 })
    expect(await late.next((m) => m.type === 'reset')).toMatchObject({ stream, lastSeq: 6 })
  })
})
