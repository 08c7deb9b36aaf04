/**
 * A heap keeper (server/heap-at-rest.ts) for tests: never busy (utilisation cannot exceed 1)
 * and its young generation never counts as large, so it collects only at start-up (returned
 * once that collection is done) and when told that memory was let go.
 */
import { expect, vi } from 'vitest'
import { keepHeapSmallAtRest, type HeapKeeper } from '../server/heap-at-rest.ts'

const waited = { timeout: 5000, interval: 10 }

export async function keeperCollectingWhenTold(): Promise<HeapKeeper> {
  const keeper = keepHeapSmallAtRest({
    checkMs: 50,
    restUtilization: 1,
    quietYoungBytes: Number.MAX_SAFE_INTEGER,
    soonMs: 50,
  })
  try {
    await vi.waitFor(() => expect(keeper.collections).toBe(1), waited)
  } catch (error) {
    keeper.stop()
    throw error
  }
  return keeper
}

/** Waits for the keeper to look `looks` more times. */
export async function keeperLooks(keeper: HeapKeeper, looks: number): Promise<void> {
  const from = keeper.looks
  await vi.waitFor(() => expect(keeper.looks).toBeGreaterThanOrEqual(from + looks), waited)
}

/** Waits for the keeper's collections to reach `count`. */
export async function keeperCollected(keeper: HeapKeeper, count: number): Promise<void> {
  await vi.waitFor(() => expect(keeper.collections).toBe(count), waited)
}
