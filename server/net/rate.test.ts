import { describe, expect, it } from 'vitest'
import { TokenBucket } from './rate.ts'

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
