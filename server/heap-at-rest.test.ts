import { afterEach, expect, it, vi } from 'vitest'
import { keepHeapSmallAtRest, memoryLetGo, type HeapKeeper } from './heap-at-rest.ts'

let keeper: HeapKeeper | null = null
afterEach(() => keeper?.stop())

it('collects at the next look at rest after being told much memory was let go, and not before', async () => {
  // Never busy (utilisation cannot exceed 1) and the young generation never counts as large:
  // only the start-up and being told make it collect.
  keeper = keepHeapSmallAtRest({
    checkMs: 50,
    restUtilization: 1,
    quietYoungBytes: Number.MAX_SAFE_INTEGER,
    soonMs: 50,
  })
  const k = keeper
  // The start-up counts as busy: one collection at the first look at rest.
  await vi.waitFor(() => expect(k.collections).toBe(1), { timeout: 5000, interval: 10 })
  const looks = k.looks
  await vi.waitFor(() => expect(k.looks).toBeGreaterThanOrEqual(looks + 3), {
    timeout: 5000,
    interval: 10,
  })
  expect(k.collections).toBe(1)

  memoryLetGo()
  await vi.waitFor(() => expect(k.collections).toBe(2), { timeout: 5000, interval: 10 })
})
