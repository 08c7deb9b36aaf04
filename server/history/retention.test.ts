import { describe, expect, it } from 'vitest'
import { checkpointsToDrop } from './retention.ts'

const HOUR = 3600 * 1000
const DAY = 24 * HOUR
const now = 1000 * DAY

describe('checkpoint retention', () => {
  it('keeps the last day whole, then the newest per hour for a week, then per day, then none', () => {
    const at = (ms: number, id: string) => ({ id, createdAt: now - ms })
    const checkpoints = [
      at(5 * 60_000, 'recent-1'),
      at(10 * 60_000, 'recent-2'),
      // Two in one hour two days ago: the newer stays.
      at(2 * DAY + 10 * 60_000, 'hour-newer'),
      at(2 * DAY + 20 * 60_000, 'hour-older'),
      at(2 * DAY + 2 * HOUR, 'other-hour'),
      // Two on one day three weeks ago (same UTC day): the newer stays.
      at(21 * DAY - 3 * HOUR, 'day-newer'),
      at(21 * DAY - 2 * HOUR, 'day-older'),
      at(91 * DAY, 'too-old'),
    ]
    expect(checkpointsToDrop(checkpoints, now, { maxAgeMs: 90 * DAY }).sort()).toEqual(
      ['day-older', 'hour-older', 'too-old'].sort(),
    )
  })
})
