import { describe, expect, it } from 'vitest'
import { TokenBucket, TokenBuckets } from './rate.ts'

describe('TokenBucket', () => {
  it('allows a burst, then the steady rate, on the clock it is given', () => {
    let now = 0
    const bucket = new TokenBucket(10, 5, () => now)
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
    expect(bucket.waitMs()).toBe(100)
    now += 100
    expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
    now += 10_000
    for (let i = 0; i < 5; i++) expect(bucket.take()).toBe(true)
    expect(bucket.take()).toBe(false)
  })

  it('charges by cost and refuses without spending', () => {
    let now = 0
    const bucket = new TokenBucket(100, 100, () => now)
    expect(bucket.take(150)).toBe(false)
    expect(bucket.take(100)).toBe(true)
    now += 500
    expect(bucket.take(60)).toBe(false)
    expect(bucket.take(50)).toBe(true)
  })
})

describe('TokenBuckets', () => {
  it('behaves as one TokenBucket per bucket, each on its own rate and burst', () => {
    let now = 0
    const clock = () => now
    const shape = { rates: [10, 1000, 20], bursts: [20, 1500, 20] }
    const together = new TokenBuckets(shape, clock)
    const apart = shape.rates.map((rate, i) => new TokenBucket(rate, shape.bursts[i]!, clock))
    // A fixed pseudo-random walk of takes and waits over the three buckets, in steps of
    // 100 ms, so every refill is a whole number of tokens and both sides count exactly.
    let seed = 7
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let step = 0; step < 2000; step++) {
      now += next(3) === 0 ? next(4) * 100 : 0
      const i = next(3)
      const cost = i === 1 ? next(400) : 1
      expect(together.take(i, cost)).toBe(apart[i]!.take(cost))
      expect(together.waitMs(i, cost)).toBe(apart[i]!.waitMs(cost))
    }
  })
})
