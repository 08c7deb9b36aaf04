/**
 * Latency recording for the load generator.
 *
 * A log-bucketed histogram (1 % wide buckets) keeps memory and per-sample cost constant,
 * which matters because the awareness storm records millions of samples in one process
 * that must not become the bottleneck it is measuring.
 */

const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
/** Smallest resolvable latency; anything below lands in bucket 0. */
const FLOOR_MS = 0.001
/** 1 µs × 1.01^2000 ≈ 440 s: far beyond any scenario's time bound. */
const BUCKETS = 2000

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS)
  count = 0
  sum = 0
  max = 0
  min = Number.POSITIVE_INFINITY

  record(ms: number): void {
    const v = ms < FLOOR_MS ? FLOOR_MS : ms
    const idx = Math.min(BUCKETS - 1, Math.floor(Math.log(v / FLOOR_MS) / LOG_GROWTH))
    this.counts[idx] = (this.counts[idx] ?? 0) + 1
    this.count++
    this.sum += ms
    if (ms > this.max) this.max = ms
    if (ms < this.min) this.min = ms
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++)
      this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0)
    this.count += other.count
    this.sum += other.sum
    this.max = Math.max(this.max, other.max)
    this.min = Math.min(this.min, other.min)
  }

  /** Value at quantile q (0..1), reported as the bucket's geometric midpoint; null if empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null
    const target = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= target) {
        const mid = FLOOR_MS * Math.pow(GROWTH, i + 0.5)
        // Clamp to observed extremes so tiny sample sets do not report impossible values.
        return Math.min(this.max, Math.max(this.min, mid))
      }
    }
    return this.max
  }

  mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count
  }
}

export function round(v: number | null, digits = 2): number | null {
  if (v === null || !Number.isFinite(v)) return null
  const f = Math.pow(10, digits)
  return Math.round(v * f) / f
}

/** Milliseconds on a clock shared by every client in the load generator process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}
