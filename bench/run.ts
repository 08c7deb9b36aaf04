/**
 * Orchestrator: `npm run bench -- [scenario...] [--quick] [--runs=N] [--server=loupe|reference]`.
 * For each case it starts a fresh server, creates the rooms, forks the load generator,
 * samples the server's CPU and RSS over the window the load generator marks, and stops
 * the server. Each case runs N times (3 by default, 1 with --quick), Loupe and the reference
 * alternating, and is reported as the median and the range of the runs.
 *
 * `--quick` (or BENCH_QUICK=1) runs small sizes once each: a smoke run for development.
 * `--vs=cluster` compares Loupe as one cluster node with single-node Loupe instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { LOUPE_ROOT, ROOT, ServerHandle, loupeAvailable } from './servers.ts'
import type { ServerKind } from './servers.ts'
import { runLoadgen } from './loadgen-driver.ts'
import { CLUSTER_BENCHES, runClusterBenches } from './cluster-bench.ts'
import { SCENARIOS } from './scenarios/index.ts'
import type { Case, Scenario } from './scenarios/types.ts'
import { aggregate, table } from './report.ts'
import type { CaseResult, Outcome } from './report.ts'
import { round } from './stats.ts'

const args = process.argv.slice(2)
// --quick (or BENCH_QUICK=1): small sizes and one run, for development.
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1'
const serverArg = args.find((a) => a.startsWith('--server='))?.slice('--server='.length)
const runsArg = args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length)
const runs = runsArg ? Math.max(1, Math.floor(Number(runsArg))) : quick ? 1 : 3
if (!Number.isFinite(runs)) {
  console.error(`--runs needs a number, got ${runsArg}`)
  process.exit(2)
}
const names = args.filter((a) => !a.startsWith('--'))
// Cluster benchmarks (several nodes: cluster-bench.ts) run only when named.
const clusterNames = names.filter((n) => CLUSTER_BENCHES.some((b) => b.name === n))
const known = [...SCENARIOS.map((s) => s.name), ...CLUSTER_BENCHES.map((b) => b.name)]
const unknown = names.filter((n) => !known.includes(n))
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${known.join(', ')}`)
  process.exit(2)
}
const singleNames = names.filter((n) => !clusterNames.includes(n))
const selected =
  names.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => singleNames.includes(s.name))
// --vs=cluster: the two columns become Loupe as one cluster node (PostgreSQL + Redis) and
// Loupe on one machine (SQLite), so the ratio reads cluster / single node.
const vsCluster = args.includes('--vs=cluster')
/** Which server runs in each column ('loupe' slot first, 'reference' slot second). */
const slotKind: Record<'loupe' | 'reference', ServerKind> = vsCluster
  ? { loupe: 'cluster', reference: 'loupe' }
  : { loupe: 'loupe', reference: 'reference' }
const columns = vsCluster
  ? { first: 'Loupe cluster node', second: 'Loupe single node (SQLite)' }
  : undefined
const kinds: ServerKind[] = vsCluster
  ? ['cluster', 'loupe']
  : serverArg === 'loupe' || serverArg === 'reference'
    ? [serverArg]
    : ['loupe', 'reference']

async function runCase(
  scenario: Scenario<unknown>,
  c: Case<unknown>,
  kind: ServerKind,
): Promise<Outcome> {
  if (!kinds.includes(kind)) return { skipped: 'not selected' }
  if (kind === 'reference' && scenario.loupeOnly) return { skipped: scenario.loupeOnly }
  if (kind !== 'reference' && !loupeAvailable()) return { skipped: 'server/main.ts not found' }
  let server: ServerHandle | null = null
  try {
    // The machine is shared: each run says how busy it was as it started.
    const machineLoad1m = round(loadavg()[0] ?? null)
    server =
      kind !== 'reference'
        ? await ServerHandle.start(kind, { env: c.loupeEnv, auth: c.accounts !== undefined })
        : await ServerHandle.start(kind, { persist: c.referencePersist })
    const ids = Array.from({ length: c.rooms }, (_, i) => `${scenario.name}-${i}`)
    const t0 = performance.now()
    await server.createRooms(ids)
    const tokens = kind !== 'reference' && c.accounts ? await server.members(c.accounts) : []
    const setupMs = performance.now() - t0
    const m = await runLoadgen({
      scenario,
      params: c.params,
      timeoutMs: c.timeoutMs,
      server,
      urls: ids.map((id) => server?.roomUrl(id) ?? ''),
      tokens,
    })
    // CPU per unit of work beside every latency: the window's server CPU over the work done in it.
    const work = typeof m.work === 'number' ? m.work : 0
    if (typeof m.serverCpuSeconds === 'number' && work > 0) {
      m.serverCpuPerWorkUs = round((m.serverCpuSeconds * 1e6) / work, 2)
      if (typeof m.serverSystemSeconds === 'number')
        m.serverSysPerWorkUs = round((m.serverSystemSeconds * 1e6) / work, 2)
    }
    return { ...m, roomSetupMs: round(setupMs, 0), machineLoad1m }
  } catch (err) {
    const tail = server?.output.trim().split('\n').slice(-5).join(' ⏎ ') ?? ''
    return {
      error: `${err instanceof Error ? err.message : String(err)}${tail ? ` [server output: ${tail}]` : ''}`,
    }
  } finally {
    await server?.stop()
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString()
  const t0 = performance.now()
  const results: Record<string, { title: string; notes: string[]; cases: CaseResult[] }> = {}
  if (!loupeAvailable())
    console.warn('note: server/main.ts not found, Loupe columns will be skipped\n')
  // The machine is shared: say how busy it was, since every figure depends on it.
  const loadAtStart = loadavg()
  console.error(`[bench] load average at start: ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`)
  for (const scenario of selected) {
    const cases: CaseResult[] = []
    // BENCH_CASE=<text> runs only the cases whose label contains it (development).
    const only = process.env.BENCH_CASE
    for (const c of scenario.cases(quick).filter((k) => !only || k.label.includes(only))) {
      const all: Record<'loupe' | 'reference', Outcome[]> = { loupe: [], reference: [] }
      // Alternating, so a drift in the machine's load over the runs touches both sides alike.
      for (let run = 1; run <= runs; run++) {
        for (const slot of ['loupe', 'reference'] as const) {
          const kind = slotKind[slot]
          const ts = performance.now()
          const outcome = await runCase(scenario, c, kind)
          all[slot].push(outcome)
          const note =
            typeof outcome.error === 'string'
              ? ` (error: ${outcome.error.slice(0, 200)})`
              : typeof outcome.skipped === 'string'
                ? ' (skipped)'
                : ''
          console.error(
            `[bench] ${scenario.name} ${c.label} ${kind} run ${run}/${runs}: ${((performance.now() - ts) / 1000).toFixed(1)} s${note}`,
          )
          if (typeof outcome.skipped === 'string') break
        }
      }
      const l = aggregate(all.loupe)
      const r = aggregate(all.reference)
      cases.push({
        label: c.label,
        params: c.params,
        loupe: l.median,
        reference: r.median,
        spread: { loupe: l.spread, reference: r.spread },
        runs: all,
      })
    }
    const notes = [...(scenario.notes ?? [])]
    for (const c of scenario.cases(quick)) {
      const env = Object.entries(c.loupeEnv ?? {}).map(([k, v]) => `${k}=${v}`)
      if (env.length > 0) notes.push(`Loupe started with ${env.join(' ')} for ${c.label}.`)
      if (c.accounts !== undefined)
        notes.push(`Loupe started with accounts on (LOUPE_AUTH=on) for ${c.label}.`)
    }
    if (vsCluster)
      notes.push(
        'Cluster node: Loupe with LOUPE_DATABASE_URL (a fresh PostgreSQL database per run) and LOUPE_REDIS_URL (a private redis-server per run, no persistence), every client on that one node.',
      )
    if (runs > 1)
      notes.push(
        `Each figure: the median of ${runs} runs, ${columns ? `the ${columns.first} and the ${columns.second}` : 'Loupe and the reference'} alternating, with the range of the runs in brackets.`,
      )
    results[scenario.name] = { title: scenario.title, notes, cases }
    console.log(`\n${table(scenario.title, scenario.rows, cases, notes, columns)}\n`)
  }
  Object.assign(
    results,
    await runClusterBenches(clusterNames, { quick, runs: runsArg ? runs : null }),
  )
  const out = {
    startedAt,
    durationS: round((performance.now() - t0) / 1000, 1),
    quick,
    runs,
    // With --vs=cluster the 'loupe' slot holds the cluster node and 'reference' single-node Loupe.
    columns: slotKind,
    loupeRoot: LOUPE_ROOT,
    loadAverage: { start: loadAtStart, end: loadavg() },
    machine: { cpus: cpus().length, memGiB: round(totalmem() / 2 ** 30, 1), node: process.version },
    scenarios: results,
  }
  const dir = join(ROOT, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(out, null, 2)}\n`)
  console.log(`results written to bench/results/latest.json (${out.durationS} s)`)
  console.error(
    `[bench] load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  )
}

// Ctrl-C: exit through process.exit so servers.ts's exit hook kills the server processes.
process.on('SIGINT', () => process.exit(130))

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
