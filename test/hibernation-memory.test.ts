/**
 * Boards put away let their memory go: once enough rooms hibernated, the room manager tells
 * the process's heap keeper (heap-at-rest.ts), which collects at its next look at rest instead
 * of leaving their documents to a full collection a server at rest may never make.
 */
import { afterEach, expect, it, vi } from 'vitest'
import { keepHeapSmallAtRest, type HeapKeeper } from '../server/heap-at-rest.ts'
import { cleanup, eventually, startTestServer } from './harness.ts'

let keeper: HeapKeeper | null = null
afterEach(async () => {
  keeper?.stop()
  await cleanup()
})

it('many boards hibernating have the heap collected; one board alone does not', async () => {
  const t = await startTestServer({ roomHibernateMs: 100, roomIdleMs: 60_000 })
  const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => t.createBoard(`b${i}`)))
  // Never busy (utilisation cannot exceed 1): it collects only at start-up and when told.
  keeper = keepHeapSmallAtRest({
    checkMs: 50,
    restUtilization: 1,
    quietYoungBytes: Number.MAX_SAFE_INTEGER,
    soonMs: 50,
  })
  const k = keeper
  await vi.waitFor(() => expect(k.collections).toBe(1), { timeout: 5000, interval: 10 })
  const rooms = t.server.rooms

  // One board's document built (read), then put away: not worth a collection.
  await rooms.read(ids[0] as string, (doc) => doc.guid)
  await eventually(() => expect(rooms.loaded(ids[0] as string)?.isHibernating).toBe(true))
  const looks = k.looks
  await vi.waitFor(() => expect(k.looks).toBeGreaterThanOrEqual(looks + 3), {
    timeout: 5000,
    interval: 10,
  })
  expect(k.collections).toBe(1)

  // The rest: past 32 rooms put away, collected at the next look.
  await Promise.all(ids.slice(1).map((id) => rooms.read(id, (doc) => doc.guid)))
  await eventually(() => expect([...rooms.rooms()].every((r) => r.isHibernating)).toBe(true))
  await vi.waitFor(() => expect(k.collections).toBe(2), { timeout: 5000, interval: 10 })
})
