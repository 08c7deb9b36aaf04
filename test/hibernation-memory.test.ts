/**
 * Boards put away let their memory go: once enough rooms hibernated, the room manager tells
 * the process's heap keeper (heap-at-rest.ts), which collects at its next look at rest instead
 * of leaving their documents to a full collection a server at rest may never make.
 */
import { afterEach, expect, it } from 'vitest'
import type { HeapKeeper } from '../server/heap-at-rest.ts'
import { cleanup, eventually, startTestServer } from './harness.ts'
import { keeperCollected, keeperCollectingWhenTold, keeperLooks } from './heap-keeper.ts'

let keeper: HeapKeeper | null = null
afterEach(async () => {
  keeper?.stop()
  await cleanup()
})

it('many boards hibernating have the heap collected; one board alone does not', async () => {
  const t = await startTestServer({ roomHibernateMs: 100, roomIdleMs: 60_000 })
  const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => t.createBoard(`b${i}`)))
  // It collects only at start-up and when told.
  const k = (keeper = await keeperCollectingWhenTold())
  const rooms = t.server.rooms

  // One board's document built (read), then put away: not worth a collection.
  await rooms.read(ids[0] as string, (doc) => doc.guid)
  await eventually(() => expect(rooms.loaded(ids[0] as string)?.isHibernating).toBe(true))
  await keeperLooks(k, 3)
  expect(k.collections).toBe(1)

  // The rest: past 32 rooms put away, collected at the next look.
  await Promise.all(ids.slice(1).map((id) => rooms.read(id, (doc) => doc.guid)))
  await eventually(() => expect([...rooms.rooms()].every((r) => r.isHibernating)).toBe(true))
  await keeperCollected(k, 2)
})
