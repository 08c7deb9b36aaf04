import { afterEach, expect, it } from 'vitest'
import { keeperCollected, keeperCollectingWhenTold, keeperLooks } from '../test/heap-keeper.ts'
import { memoryLetGo, type HeapKeeper } from './heap-at-rest.ts'

let keeper: HeapKeeper | null = null
afterEach(() => keeper?.stop())

it('collects at the next look at rest after being told much memory was let go, and not before', async () => {
  // The start-up counts as busy: one collection at the first look at rest, then none.
  const k = (keeper = await keeperCollectingWhenTold())
  await keeperLooks(k, 3)
  expect(k.collections).toBe(1)

  memoryLetGo()
  await keeperCollected(k, 2)
})
