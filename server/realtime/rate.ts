/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. Takes the clock as an
 * argument so tests control time without fake timers.
 */
export type Clock = () => number

export const monotonicMs: Clock = () => performance.now()

export class TokenBucket {
  private tokens: number
  private updatedAt: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: Clock = monotonicMs,
  ) {
    this.tokens = burst
    this.updatedAt = now()
  }

  private refill(): void {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.rate) / 1000)
    this.updatedAt = now
  }

  /** Takes `cost` tokens if there are enough; false leaves the bucket unchanged. */
  take(cost = 1): boolean {
    this.refill()
    if (this.tokens < cost) return false
    this.tokens -= cost
    return true
  }

  /** Milliseconds until `cost` tokens are available. */
  waitMs(cost = 1): number {
    this.refill()
    return this.tokens >= cost ? 0 : Math.ceil(((cost - this.tokens) * 1000) / this.rate)
  }
}
