/**
 * Token buckets: `rate` tokens per second, holding at most `burst`. They take the clock as an
 * argument so tests control time without fake timers.
 */
export type Clock = () => number

export const monotonicMs: Clock = () => performance.now()

/**
 * Several token buckets counted on one clock reading, as one object: a connection's message,
 * byte and awareness allowances. Each behaves exactly as a bucket of its own (refilling two
 * buckets at one time is the same as refilling each when it is used); what differs is the
 * memory an open socket keeps for them: three `TokenBucket`s are three objects and six boxed
 * numbers, these are one object and one array of unboxed numbers. The rates and bursts are a
 * `BucketShape`, shared by every connection.
 */
export interface BucketShape {
  readonly rates: readonly number[]
  readonly bursts: readonly number[]
}

export class TokenBuckets {
  /** Each bucket's tokens, then the time they were counted at (PACKED_DOUBLE: no boxing). */
  private readonly state: number[]

  constructor(
    private readonly shape: BucketShape,
    private readonly now: Clock = monotonicMs,
  ) {
    this.state = [...shape.bursts, now()]
  }

  private refill(): void {
    const { rates, bursts } = this.shape
    const at = rates.length
    const now = this.now()
    const elapsed = now - (this.state[at] as number)
    if (elapsed === 0) return
    for (let i = 0; i < at; i++) {
      this.state[i] = Math.min(
        bursts[i] as number,
        (this.state[i] as number) + (elapsed * (rates[i] as number)) / 1000,
      )
    }
    this.state[at] = now
  }

  /** Takes `cost` tokens from bucket `i` if it holds enough; false leaves it unchanged. */
  take(i: number, cost = 1): boolean {
    this.refill()
    const tokens = this.state[i] as number
    if (tokens < cost) return false
    this.state[i] = tokens - cost
    return true
  }

  /** Milliseconds until bucket `i` holds `cost` tokens. */
  waitMs(i: number, cost = 1): number {
    this.refill()
    const tokens = this.state[i] as number
    return tokens >= cost
      ? 0
      : Math.ceil(((cost - tokens) * 1000) / (this.shape.rates[i] as number))
  }
}

/** One bucket: `TokenBuckets` of one. */
export class TokenBucket {
  private readonly bucket: TokenBuckets

  constructor(rate: number, burst: number, now: Clock = monotonicMs) {
    this.bucket = new TokenBuckets({ rates: [rate], bursts: [burst] }, now)
  }

  /** Takes `cost` tokens if there are enough; false leaves the bucket unchanged. */
  take(cost = 1): boolean {
    return this.bucket.take(0, cost)
  }

  /** Milliseconds until `cost` tokens are available. */
  waitMs(cost = 1): number {
    return this.bucket.waitMs(0, cost)
  }
}

/** One bucket per key (user or address), forgetting keys idle long enough to be full again. */
export class KeyedBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>()

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: Clock = monotonicMs,
  ) {}

  take(key: string, cost = 1): boolean {
    const now = this.now()
    let entry = this.buckets.get(key)
    if (!entry) {
      entry = { bucket: new TokenBucket(this.rate, this.burst, this.now), usedAt: now }
      this.buckets.set(key, entry)
      if (this.buckets.size > 10_000) this.prune()
    }
    entry.usedAt = now
    return entry.bucket.take(cost)
  }

  /** Drops buckets that have refilled completely (they hold no history worth keeping). */
  prune(): void {
    const full = (this.burst / this.rate) * 1000
    const now = this.now()
    for (const [key, entry] of this.buckets) if (now - entry.usedAt > full) this.buckets.delete(key)
  }
}
