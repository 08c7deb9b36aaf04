/**
 * Benchmarks of several cluster nodes on one machine (`npm run bench -- proxied scaleout
 * failover`), each run on a cluster made for it (a fresh PostgreSQL database, a private
 * redis-server, N nodes as child processes) and removed after it, even when it fails:
 *
 * - `proxied`: two nodes; half of each board's clients on the node that does not own the board
 *   (relayed over Redis) against all on the owner. The added p99 is the relay's cost.
 * - `scaleout`: the rooms load on three nodes, each socket routed by a hash of its path as
 *   deploy/haproxy.cfg routes it, against the same load on one node, in steps of rooms.
 * - `failover`: two nodes; a writer edits a board owned by one; that node is killed (SIGKILL)
 *   and the writer reconnects to the other. Failover time is read from what PostgreSQL stored:
 *   the commit time of the first edit of the new owner's epoch minus that of the old owner's
 *   last. A new node replaces the killed one before the next kill.
 *
 * Loopback only; bounded in time and count; stops by itself.
 */
import { createHash } from 'node:crypto'
import { loadavg } from 'node:os'
import * as Y from 'yjs'
import { BenchClient, ClientLog } from './lib/client.ts'
import { sleep } from './lib/async.ts'
import { pushTick } from './lib/ticks.ts'
import { startClusterServices } from './cluster-services.ts'
import type { ClusterServices } from './cluster-services.ts'
import { runLoadgen } from './loadgen-driver.ts'
import type { Watched } from './loadgen-driver.ts'
import { aggregate, table } from './report.ts'
import type { CaseResult, Outcome } from './report.ts'
import { rooms } from './scenarios/rooms.ts'
import { sizesFromEnv, type Metrics, type MetricRow, type Scenario } from './scenarios/types.ts'
import { ServerHandle } from './servers.ts'
import { round } from './stats.ts'

/** One cluster for one run: its services and its nodes. */
class Cluster {
  private constructor(
    readonly services: ClusterServices,
    readonly nodes: ServerHandle[],
    private readonly env: Record<string, string>,
  ) {}

  static async start(size: number, env: Record<string, string> = {}): Promise<Cluster> {
    const services = await startClusterServices()
    const cluster = new Cluster(services, [], env)
    try {
      // One after the other: the first migrates the schema the others find.
      for (let i = 0; i < size; i++) await cluster.add()
      return cluster
    } catch (err) {
      await cluster.stop()
      throw err
    }
  }

  async add(): Promise<ServerHandle> {
    const node = await ServerHandle.start('cluster', { join: this.services, env: this.env })
    this.nodes.push(node)
    return node
  }

  /** Every node's process, Redis's, and the database's PostgreSQL backends. */
  async watched(): Promise<Watched[]> {
    const nodes = this.nodes
      .filter((n) => !n.exited)
      .map((n, i) => ({ name: `node${i + 1}`, pid: n.pid }))
    const backends = (await this.services.backendPids()).map((pid) => ({ name: 'postgres', pid }))
    return [...nodes, { name: 'redis', pid: this.services.redisPid }, ...backends]
  }

  async stop(): Promise<void> {
    try {
      await Promise.all(this.nodes.map((n) => n.stop()))
    } finally {
      await this.services.stop()
    }
  }
}

/** The node a board's sockets go to: a hash of the socket's path, as HAProxy's `balance uri`. */
export function nodeFor(boardId: string, nodes: number): number {
  const digest = createHash('sha1').update(`/ws/doc/${boardId}`).digest()
  return digest.readUInt32BE(0) % nodes
}

interface RoomsLoad {
  rooms: number
  relayed?: number
  durationMs: number
}

/** The rooms scenario's parameters at this size: 5 clients a room, 1 update/s each (6 for `proxied`). */
function roomsParams(load: RoomsLoad, quick: boolean) {
  return {
    rooms: load.rooms,
    perRoom: load.relayed === undefined ? 5 : 6,
    periodMs: 1000,
    warmupMs: 1000,
    durationMs: quick ? 2000 : load.durationMs,
    drainMs: 3000,
    relayed: load.relayed,
  }
}

/** The node CPU over every node, summed, beside the per-process figures. */
function withTotals(m: Metrics): Metrics {
  const nodes = Object.entries(m)
    .filter(([k, v]) => k.startsWith('cpuCores_node') && typeof v === 'number')
    .reduce((a, [, v]) => a + (v as number), 0)
  const all =
    nodes +
    (typeof m.cpuCores_redis === 'number' ? m.cpuCores_redis : 0) +
    (typeof m.cpuCores_postgres === 'number' ? m.cpuCores_postgres : 0) +
    (typeof m.loadgenCpuCores === 'number' ? m.loadgenCpuCores : 0)
  return { ...m, cpuCoresNodes: round(nodes), cpuCoresAll: round(all) }
}

/**
 * The rooms load on `size` nodes; `route` picks each room's node. With `relayed`, each room's
 * URL on the first node and on the second are passed (the rooms scenario splits the clients).
 */
async function roomsOnCluster(
  size: number,
  load: RoomsLoad,
  quick: boolean,
  route: (boardId: string) => number,
): Promise<Metrics> {
  const cluster = await Cluster.start(size)
  try {
    const ids = Array.from({ length: load.rooms }, (_, i) => `rooms-${i}`)
    const first = cluster.nodes[0] as ServerHandle
    await first.createRooms(ids)
    const urls = load.relayed
      ? [
          ...ids.map((id) => first.roomUrl(id)),
          ...ids.map((id) => cluster.nodes[1]?.roomUrl(id) ?? ''),
        ]
      : ids.map((id) => cluster.nodes[route(id)]?.roomUrl(id) ?? '')
    const params = roomsParams(load, quick)
    const m = await runLoadgen({
      scenario: rooms as Scenario<unknown>,
      params,
      timeoutMs: params.durationMs + 120_000,
      server: first,
      urls,
      tokens: [],
      watch: () => cluster.watched(),
    })
    return withTotals(m)
  } finally {
    await cluster.stop()
  }
}

interface ClusterCase {
  label: string
  /** Runs the case once for a column; the table reads first / second. */
  run(column: 'first' | 'second', quick: boolean): Promise<Metrics>
}

interface ClusterBench {
  name: string
  title: string
  columns: { first: string; second: string | null }
  rows: MetricRow[]
  notes: string[]
  cases(quick: boolean): ClusterCase[]
  /** Runs per case, whatever --runs says (failover: one run is already 20 kills). */
  runs?: number
}

const CPU_ROWS: MetricRow[] = [
  { key: 'cpuCoresNodes', label: 'CPU of the Loupe nodes, summed (cores)' },
  { key: 'cpuCores_node1', label: '… node 1 (cores)' },
  { key: 'cpuCores_node2', label: '… node 2 (cores)' },
  { key: 'cpuCores_node3', label: '… node 3 (cores)' },
  { key: 'cpuCores_redis', label: 'CPU of redis-server (cores)' },
  { key: 'cpuCores_postgres', label: "CPU of the database's PostgreSQL backends (cores)" },
  { key: 'cpuCoresAll', label: 'all of it with the load generator (cores, of 2)' },
]

const proxied: ClusterBench = {
  name: 'proxied',
  title: 'Proxied clients: half of each board’s clients on the node that does not own it',
  columns: { first: 'half relayed (2 nodes)', second: 'all on the owner (2 nodes)' },
  rows: [
    { key: 'achievedRate', label: 'achieved deliveries/s (while sending)', digits: 0 },
    { key: 'deliveredRatio', label: 'delivered / expected (after drain)', digits: 4 },
    { key: 'latencyP50Ms', label: 'latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'latency p99 (ms)' },
    { key: 'latencyOwnerP99Ms', label: 'latency p99, receivers on the owner (ms)' },
    { key: 'latencyRelayedP50Ms', label: 'latency p50, receivers relayed (ms)' },
    { key: 'latencyRelayedP99Ms', label: 'latency p99, receivers relayed (ms)' },
    ...CPU_ROWS,
  ],
  notes: [
    'Each room: 6 clients, each writing 1 update/s. Half relayed: the first 3 connect to node 1 (which so owns the board), then the other 3 to node 2, which relays them to node 1 over Redis. All on the owner: the 6 on node 1, node 2 up and idle.',
  ],
  cases(quick) {
    const load = { rooms: quick ? 50 : 200, durationMs: 10_000 }
    return [
      {
        label: `${load.rooms} rooms × 6`,
        run: (column, q) =>
          roomsOnCluster(2, { ...load, relayed: column === 'first' ? 3 : 0 }, q, () => 0),
      },
    ]
  },
}

const scaleout: ClusterBench = {
  name: 'scaleout',
  title: 'Scale-out: the rooms load on three nodes (routed by a hash of the board) and on one',
  columns: { first: '3 nodes', second: '1 node' },
  rows: [
    { key: 'targetRate', label: 'target deliveries/s', digits: 0 },
    { key: 'achievedRate', label: 'achieved deliveries/s (while sending)', digits: 0 },
    { key: 'deliveredRatio', label: 'delivered / expected (after drain)', digits: 4 },
    { key: 'latencyP50Ms', label: 'latency p50 (ms)' },
    { key: 'latencyP99Ms', label: 'latency p99 (ms)' },
    { key: 'connectFailed', label: 'clients failed to connect+sync', digits: 0 },
    ...CPU_ROWS,
  ],
  notes: [
    'Rooms × 5 clients, each writing 1 update/s. Three nodes: each room’s sockets go to the node a hash (SHA-1) of /ws/doc/<boardId> picks, as the balancer’s `balance uri` does; every board is owned where its clients are. One node: all of them on it. All processes share the machine’s two cores.',
  ],
  cases(quick) {
    const steps = sizesFromEnv('BENCH_SCALEOUT_ROOMS', quick, {
      quick: [100, 200],
      full: [1000, 1400],
    })
    return steps.map((r) => ({
      label: `${r} rooms × 5`,
      run: (column, q) =>
        column === 'first'
          ? roomsOnCluster(3, { rooms: r, durationMs: 10_000 }, q, (id) => nodeFor(id, 3))
          : roomsOnCluster(1, { rooms: r, durationMs: 10_000 }, q, () => 0),
    }))
  },
}

/** Edits every `periodMs` through whichever socket is open; each socket a fresh doc (see below). */
class FailoverWriter {
  private current: { client: BenchClient; doc: Y.Doc } | null = null
  private timer: NodeJS.Timeout | undefined
  private seq = 0
  stopped = false

  constructor(
    private readonly log: ClientLog,
    private readonly periodMs: number,
  ) {}

  /** Connects to `url`, and on every close connects again to what `next()` names. */
  start(url: string, next: () => string): void {
    const connect = (target: string): void => {
      // A fresh doc per socket: its updates depend on nothing, so an edit lost with the killed
      // node never holds back the ones after it.
      const doc = new Y.Doc()
      const client = BenchClient.create(target, this.log, { doc })
      this.current = { client, doc }
      client.ws.once('close', () => {
        if (!this.stopped) setTimeout(() => connect(next()), 50)
      })
    }
    connect(url)
    this.timer = setInterval(() => {
      const c = this.current
      if (c?.client.open && c.client.synced) pushTick(c.doc, { s: this.seq++, t: Date.now(), w: 0 })
    }, this.periodMs)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.current?.client.close()
  }
}

/** Commit times of the board's edits by owner epoch, from PostgreSQL. */
async function commitsByEpoch(
  services: ClusterServices,
  boardId: string,
): Promise<Array<{ epoch: number; first: number; last: number; n: number }>> {
  return services.query(
    `SELECT epoch::float8 AS epoch, min(created_at)::float8 AS first, max(created_at)::float8 AS last, count(*)::int AS n
     FROM doc_updates WHERE board_id = $1 GROUP BY epoch ORDER BY epoch`,
    [boardId],
  )
}

async function failoverRun(quick: boolean): Promise<Metrics> {
  const kills = quick ? 3 : 20
  const periodMs = 20
  // No compaction: the log keeps every edit's commit time until it is read.
  const cluster = await Cluster.start(2, { LOUPE_COMPACT_AFTER_UPDATES: '100000000' })
  const times: number[] = []
  const log = new ClientLog()
  try {
    for (let k = 0; k < kills; k++) {
      const alive = cluster.nodes.filter((n) => !n.exited)
      const owner = alive[alive.length - 1] as ServerHandle
      const survivor = alive[0] as ServerHandle
      const boardId = `failover-${k}`
      await owner.createRooms([boardId])
      const writer = new FailoverWriter(log, periodMs)
      writer.start(owner.roomUrl(boardId), () => survivor.roomUrl(boardId))
      try {
        // Steady: the owner has committed edits for a while.
        await waitFor(
          async () => (await commitsByEpoch(cluster.services, boardId)).some((e) => e.n >= 25),
          10_000,
        )
        const before = await commitsByEpoch(cluster.services, boardId)
        const oldEpoch = Math.max(...before.map((e) => e.epoch))
        await owner.kill()
        // Until the survivor's epoch has committed an edit (bounded: 30 s is a failed failover).
        const after = await waitFor(async () => {
          const rows = await commitsByEpoch(cluster.services, boardId)
          return rows.some((e) => e.epoch > oldEpoch) ? rows : null
        }, 30_000)
        const last = after.find((e) => e.epoch === oldEpoch)?.last as number
        const first = Math.min(...after.filter((e) => e.epoch > oldEpoch).map((e) => e.first))
        times.push(first - last)
      } finally {
        await writer.stop()
      }
      await owner.stop()
      await cluster.add()
    }
  } finally {
    await cluster.stop()
  }
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
  return {
    kills: times.length,
    failoverP50Ms: round(at(0.5) ?? null, 0),
    failoverP99Ms: round(at(0.99) ?? null, 0),
    failoverMaxMs: round(sorted[sorted.length - 1] ?? null, 0),
    failoverMinMs: round(sorted[0] ?? null, 0),
    failoverAllMs: times.map((t) => Math.round(t)).join(' '),
    unexpectedCloses: Object.entries(log.unexpectedCloses)
      .map(([c, n]) => `${c}×${n}`)
      .join(', '),
  }
}

/** Polls `check` every 50 ms until it returns something truthy; throws after `ms`. */
async function waitFor<T>(check: () => Promise<T | null | false>, ms: number): Promise<T> {
  const deadline = performance.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms`)
    await sleep(50)
  }
}

const failover: ClusterBench = {
  name: 'failover',
  title: 'Failover: an owner killed (SIGKILL) under a writer, until the new owner commits',
  columns: { first: 'cluster, 2 nodes (LOUPE_LEASE_MS 3000)', second: null },
  runs: 1,
  rows: [
    { key: 'kills', label: 'kills', digits: 0 },
    { key: 'failoverP50Ms', label: 'failover p50 (ms)', digits: 0 },
    { key: 'failoverP99Ms', label: 'failover p99 (ms)', digits: 0 },
    { key: 'failoverMinMs', label: 'failover min (ms)', digits: 0 },
    { key: 'failoverMaxMs', label: 'failover max (ms)', digits: 0 },
    { key: 'failoverAllMs', label: 'each kill (ms)' },
  ],
  notes: [
    'Failover: the commit time (doc_updates.created_at) of the first edit of the new owner’s epoch minus that of the killed owner’s last edit. The writer edits every 20 ms, on a fresh socket (and a fresh doc) each time its socket closes, always to the surviving node; a new node replaces the killed one before the next kill.',
  ],
  cases(quick) {
    return [{ label: quick ? '3 kills' : '20 kills', run: (_, q) => failoverRun(q) }]
  },
}

export const CLUSTER_BENCHES: readonly ClusterBench[] = [proxied, scaleout, failover]

/** Runs the named cluster benchmarks; prints a table each and returns them for latest.json. */
export async function runClusterBenches(
  names: readonly string[],
  options: { quick: boolean; runs: number | null },
): Promise<Record<string, { title: string; notes: string[]; cases: CaseResult[] }>> {
  const results: Record<string, { title: string; notes: string[]; cases: CaseResult[] }> = {}
  for (const bench of CLUSTER_BENCHES.filter((b) => names.includes(b.name))) {
    // A bench that sets its runs keeps them (failover: one run is already 20 kills).
    const runs = bench.runs ?? options.runs ?? (options.quick ? 1 : 3)
    const cases: CaseResult[] = []
    for (const c of bench.cases(options.quick)) {
      const all: Record<'first' | 'second', Outcome[]> = { first: [], second: [] }
      for (let run = 1; run <= runs; run++) {
        for (const column of ['first', 'second'] as const) {
          if (column === 'second' && bench.columns.second === null) continue
          const t0 = performance.now()
          const machineLoad1m = round(loadavg()[0] ?? null)
          let outcome: Outcome
          try {
            outcome = { ...(await c.run(column, options.quick)), machineLoad1m }
          } catch (err) {
            outcome = { error: err instanceof Error ? err.message : String(err) }
          }
          all[column].push(outcome)
          const note =
            typeof outcome.error === 'string' ? ` (error: ${outcome.error.slice(0, 200)})` : ''
          console.error(
            `[bench] ${bench.name} ${c.label} ${bench.columns[column]} run ${run}/${runs}: ${((performance.now() - t0) / 1000).toFixed(1)} s${note}`,
          )
        }
      }
      const f = aggregate(all.first)
      const s = aggregate(all.second)
      cases.push({
        label: c.label,
        params: null,
        loupe: f.median,
        reference: bench.columns.second === null ? { skipped: 'one column' } : s.median,
        spread: { loupe: f.spread, reference: s.spread },
        runs: { loupe: all.first, reference: all.second },
      })
    }
    const notes = [...bench.notes]
    if (runs > 1)
      notes.push(
        `Each figure: the median of ${runs} runs, the columns alternating, with the range of the runs in brackets.`,
      )
    results[bench.name] = { title: bench.title, notes, cases }
    const columns = { first: bench.columns.first, second: bench.columns.second ?? '—' }
    console.log(`\n${table(bench.title, bench.rows, cases, notes, columns)}\n`)
  }
  return results
}
