/**
 * Prometheus figures for one server instance. Hot paths bump plain numbers (histograms
 * included: `Buckets` below); prom-client reads them at scrape time, so a fan-out to a
 * thousand sockets costs no metric calls.
 *
 * prom-client (with `@opentelemetry/api`, which it loads) is imported at the first scrape, not
 * at start: a server nobody scrapes never holds it (about 2 MB at rest). The process figures
 * it adds (CPU, memory, event-loop lag, GC) start counting from that first scrape.
 */
import type { Registry } from 'prom-client'

export interface MetricSources {
  connections: () => number
  rooms: () => number
  liveSessions: () => number
  /** Stored updates skipped on load because they no longer apply (corrupt rows). */
  skippedRows?: () => number
  /** Whether commits are failing now (storage/store-health.ts). */
  storageFailing?: () => boolean
}

export class Metrics {
  private readonly tallies = { bytesIn: 0, bytesOut: 0, accepted: 0, rejected: 0 }
  private readonly commitSeconds = new Buckets(
    'loupe_commit_seconds',
    'Time to commit one group of updates to storage',
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  )
  private readonly commitBatch = new Buckets(
    'loupe_commit_batch_updates',
    'Updates sharing one commit',
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  )
  /** Made at the first scrape (prom-client loads then). */
  private registry: Promise<Registry> | null = null

  constructor(
    private readonly sources: MetricSources,
    /** Who may scrape /metrics (http/routes/health.ts): a bearer token, or loopback only. */
    readonly access: { token: string | undefined } = { token: undefined },
  ) {}

  private async makeRegistry(): Promise<Registry> {
    const { default: client } = await import('prom-client')
    const { sources, tallies } = this
    const registry = new client.Registry()
    client.collectDefaultMetrics({ register: registry, prefix: 'loupe_' })
    const gauge = (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read())
        },
      })
    const counter = (name: string, help: string, read: () => number) =>
      new client.Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset()
          this.inc(read())
        },
      })
    gauge('loupe_connections', 'Open document sockets', sources.connections)
    gauge(
      'loupe_live_sessions',
      'Live sessions, attached or waiting to be resumed',
      sources.liveSessions,
    )
    gauge('loupe_rooms', 'Boards loaded in memory', sources.rooms)
    counter(
      'loupe_stored_updates_skipped_total',
      'Stored document updates that did not apply on load and were skipped (corrupt rows)',
      () => sources.skippedRows?.() ?? 0,
    )
    gauge(
      'loupe_storage_failing',
      '1 while commits to storage fail (readiness says why), else 0',
      () => (sources.storageFailing?.() ? 1 : 0),
    )
    counter('loupe_updates_accepted_total', 'Document updates accepted', () => tallies.accepted)
    counter('loupe_updates_rejected_total', 'Document updates refused', () => tallies.rejected)
    counter(
      'loupe_socket_bytes_in_total',
      'Bytes received on document sockets',
      () => tallies.bytesIn,
    )
    counter(
      'loupe_socket_bytes_out_total',
      'Bytes sent on document sockets',
      () => tallies.bytesOut,
    )
    return registry
  }

  /** The latest commit durations (ms), for the owners' live figures. */
  private readonly recentCommits: number[] = []

  readonly commits = {
    observeCommit: (seconds: number, updates: number) => {
      this.commitSeconds.observe(seconds)
      this.commitBatch.observe(updates)
      this.recentCommits.push(seconds * 1000)
      if (this.recentCommits.length > 512) this.recentCommits.shift()
    },
  }

  /** p99 of the recent commits in ms, or null before any. */
  recentCommitP99(): number | null {
    if (this.recentCommits.length === 0) return null
    const sorted = [...this.recentCommits].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number
  }

  readonly updates = {
    accepted: () => void this.tallies.accepted++,
    rejected: () => void this.tallies.rejected++,
  }

  readonly bytes = {
    bytesIn: (n: number) => void (this.tallies.bytesIn += n),
    bytesOut: (n: number) => void (this.tallies.bytesOut += n),
  }

  async render(): Promise<{ body: string; contentType: string }> {
    this.registry ??= this.makeRegistry()
    const registry = await this.registry
    const histograms = [this.commitSeconds, this.commitBatch].map((h) => h.text())
    const body = [await registry.metrics(), ...histograms].join('\n')
    return { body, contentType: registry.contentType }
  }
}

/**
 * A Prometheus histogram kept in plain numbers and written in the text format at scrape time
 * (what prom-client's Histogram writes, without prom-client loaded to count).
 */
class Buckets {
  /** Observations at or below each bound (cumulative when written). */
  private readonly counts: number[]
  private count = 0
  private sum = 0

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0)
  }

  observe(value: number): void {
    const i = this.bounds.findIndex((bound) => value <= bound)
    if (i >= 0) this.counts[i] = (this.counts[i] as number) + 1
    this.count++
    this.sum += value
  }

  text(): string {
    const { name } = this
    const lines = [`# HELP ${name} ${this.help}`, `# TYPE ${name} histogram`]
    let below = 0
    this.bounds.forEach((bound, i) => {
      below += this.counts[i] as number
      lines.push(`${name}_bucket{le="${bound}"} ${below}`)
    })
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`)
    lines.push(`${name}_sum ${this.sum}`, `${name}_count ${this.count}`)
    return lines.join('\n') + '\n'
  }
}
