/**
 * Prometheus figures for one server instance. Hot paths bump plain numbers; prom-client
 * reads them at scrape time, so a fan-out to a thousand sockets costs no metric calls.
 */
import client from 'prom-client'

export class Metrics {
  readonly registry = new client.Registry()
  private readonly tallies = { bytesIn: 0, bytesOut: 0, accepted: 0, rejected: 0 }
  private readonly commitSeconds: client.Histogram
  private readonly commitBatch: client.Histogram

  constructor(
    sources: {
      connections: () => number
      rooms: () => number
      liveSessions: () => number
      /** Stored updates skipped on load because they no longer apply (corrupt rows). */
      skippedRows?: () => number
      /** Whether commits are failing now (storage/store-health.ts). */
      storageFailing?: () => boolean
    },
    /** Who may scrape /metrics (http/routes/health.ts): a bearer token, or loopback only. */
    readonly access: { token: string | undefined } = { token: undefined },
  ) {
    const { registry, tallies } = this
    client.collectDefaultMetrics({ register: registry, prefix: 'loupe_' })
    new client.Gauge({
      name: 'loupe_connections',
      help: 'Open document sockets',
      registers: [registry],
      collect() {
        this.set(sources.connections())
      },
    })
    new client.Gauge({
      name: 'loupe_live_sessions',
      help: 'Live sessions, attached or waiting to be resumed',
      registers: [registry],
      collect() {
        this.set(sources.liveSessions())
      },
    })
    new client.Gauge({
      name: 'loupe_rooms',
      help: 'Boards loaded in memory',
      registers: [registry],
      collect() {
        this.set(sources.rooms())
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
    counter(
      'loupe_stored_updates_skipped_total',
      'Stored document updates that did not apply on load and were skipped (corrupt rows)',
      () => sources.skippedRows?.() ?? 0,
    )
    new client.Gauge({
      name: 'loupe_storage_failing',
      help: '1 while commits to storage fail (readiness says why), else 0',
      registers: [registry],
      collect() {
        this.set(sources.storageFailing?.() ? 1 : 0)
      },
    })
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
    this.commitSeconds = new client.Histogram({
      name: 'loupe_commit_seconds',
      help: 'Time to commit one group of updates to storage',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    })
    this.commitBatch = new client.Histogram({
      name: 'loupe_commit_batch_updates',
      help: 'Updates sharing one commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    })
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
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}
