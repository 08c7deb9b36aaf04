/**
 * Counts failures per key in a sliding window (login: 10 per name or per address in 15
 * minutes, docs/product.md). Takes the clock as an argument so tests need no fake timers.
 */
import type { Clock } from '../net/rate.ts'

export class FailureWindow {
  private readonly failures = new Map<string, number[]>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: Clock = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff)
    if (list.length > 0) this.failures.set(key, list)
    else this.failures.delete(key)
    return list
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string): number {
    const list = this.recent(key)
    if (list.length < this.limit) return 0
    return (list[list.length - this.limit] as number) + this.windowMs - this.now()
  }

  fail(key: string): void {
    const list = this.recent(key)
    list.push(this.now())
    this.failures.set(key, list)
  }

  clear(key: string): void {
    this.failures.delete(key)
  }
}
