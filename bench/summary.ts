/**
 * The targets of issues 14 and 11 read off a bench run (bench/results/latest.json, or the file
 * given): one Markdown row per target with Loupe's median and range, the reference's, the
 * ratio of the medians, the target and whether it is met. docs/benchmarks.md takes its
 * summary from here.
 *
 *   node --import tsx bench/summary.ts [bench/results/latest.json]
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CaseResult } from './report.ts'

interface Results {
  startedAt: string
  durationS: number
  runs: number
  quick: boolean
  loadAverage: { start: number[]; end: number[] }
  scenarios: Record<string, { cases: CaseResult[] }>
}

type Check =
  | { kind: 'ratio'; max: number }
  | { kind: 'below'; max: number }
  | { kind: 'equal'; value: number }
  | { kind: 'none' }

interface Target {
  what: string
  scenario: string
  /** Text the case label contains (the first case of the scenario when omitted). */
  label?: string
  key: string
  check: Check
  target: string
}

const TARGETS: Target[] = [
  {
    what: 'fan-out 1000 clients: server CPU per delivered update (µs)',
    scenario: 'fanout',
    label: 'N=1000',
    key: 'serverCpuPerWorkUs',
    check: { kind: 'ratio', max: 0.7 },
    target: '≤ 0.7× reference',
  },
  {
    what: 'fan-out 1000 clients: steady-state p99, second half (ms)',
    scenario: 'fanout',
    label: 'N=1000',
    key: 'steadyP99Ms',
    check: { kind: 'ratio', max: 0.6 },
    target: '≤ 0.6× reference',
  },
  {
    what: 'fan-out 1000 clients: whole-run p99 (ms)',
    scenario: 'fanout',
    label: 'N=1000',
    key: 'latencyP99Ms',
    check: { kind: 'none' },
    target: 'reported',
  },
  {
    what: 'fan-out 1000 clients: delivered / expected',
    scenario: 'fanout',
    label: 'N=1000',
    key: 'deliveredRatio',
    check: { kind: 'equal', value: 1 },
    target: '1 (100 %)',
  },
  {
    what: 'fan-out 200 clients: p99, whole window (ms)',
    scenario: 'fanout',
    label: 'N=200',
    key: 'latencyP99Ms',
    check: { kind: 'below', max: 8 },
    target: '≤ 8 ms',
  },
  {
    what: 'fan-out 200 clients: server CPU per delivered update (µs)',
    scenario: 'fanout',
    label: 'N=200',
    key: 'serverCpuPerWorkUs',
    check: { kind: 'none' },
    target: '',
  },
  {
    what: 'idle connections: RSS per connection (KiB)',
    scenario: 'idle',
    key: 'rssPerConnKiB',
    check: { kind: 'ratio', max: 0.7 },
    target: '≤ 0.7× reference',
  },
  {
    what: 'baseline: RSS at rest, nothing connected (MiB)',
    scenario: 'baseline',
    key: 'rssRestMiB',
    check: { kind: 'ratio', max: 1.2 },
    target: '≤ 1.2× reference',
  },
  {
    what: 'baseline: RSS at start (MiB)',
    scenario: 'baseline',
    key: 'rssStartMiB',
    check: { kind: 'none' },
    target: '',
  },
  {
    what: 'locks, open loop 100 clients × 2 acquires/s, live socket: acquire p99 (ms)',
    scenario: 'locks',
    label: 'open loop, live socket, 100 clients × 2 ',
    key: 'acquireP99Ms',
    check: { kind: 'below', max: 5 },
    target: '≤ 5 ms',
  },
  {
    what: 'locks, contention (20 people on 20 keys), 2 acquires/s each: acquire p99 (ms)',
    scenario: 'locks',
    label: 'contention',
    key: 'acquireP99Ms',
    check: { kind: 'none' },
    target: '',
  },
  {
    what: 'cold load after a restart: fresh client has the board (ms)',
    scenario: 'coldload',
    key: 'coldFetchMs',
    check: { kind: 'none' },
    target: 'compared',
  },
  {
    what: 'web client: first render from IndexedDB, in the full run (ms)',
    scenario: 'client',
    key: 'idbDomMs',
    check: { kind: 'below', max: 500 },
    target: '< 500 ms',
  },
  {
    what: 'history list, 200 versions: p95 (ms)',
    scenario: 'history',
    key: 'listP95Ms',
    check: { kind: 'below', max: 300 },
    target: '< 300 ms',
  },
  {
    what: 'opening a version (export): p95 (ms)',
    scenario: 'history',
    key: 'openP95Ms',
    check: { kind: 'below', max: 300 },
    target: '< 300 ms',
  },
  {
    what: 'opening a version and building its Y.Doc: p95 (ms)',
    scenario: 'history',
    key: 'openBuildP95Ms',
    check: { kind: 'none' },
    target: '',
  },
  {
    what: 'search over 100 boards: p95 (ms)',
    scenario: 'history',
    key: 'searchP95Ms',
    check: { kind: 'below', max: 50 },
    target: '< 50 ms',
  },
]

const file = process.argv[2] ?? join(import.meta.dirname, 'results', 'latest.json')
const results = JSON.parse(readFileSync(file, 'utf8')) as Results

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null)
const fmt = (v: number | null): string =>
  v === null
    ? '—'
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(2)
const withRange = (v: number | null, range: [number, number] | undefined): string =>
  v === null
    ? '—'
    : range && range[0] !== range[1]
      ? `${fmt(v)} (${fmt(range[0])}–${fmt(range[1])})`
      : fmt(v)

console.log(
  `Run of ${results.startedAt}: ${results.runs} run(s) per case${results.quick ? ', quick' : ''}, ${Math.round(results.durationS / 60)} min; load average ${results.loadAverage.start[0]?.toFixed(1)} at the start, ${results.loadAverage.end[0]?.toFixed(1)} at the end.\n`,
)
console.log('| figure | Loupe median (range) | reference median (range) | ratio | target | met |')
console.log('|---|---:|---:|---:|---|---|')
for (const t of TARGETS) {
  const cases = results.scenarios[t.scenario]?.cases ?? []
  const c = t.label ? cases.find((k) => k.label.includes(t.label as string)) : cases[0]
  if (!c) {
    console.log(`| ${t.what} | not run | | | ${t.target} | |`)
    continue
  }
  const l = num(c.loupe[t.key])
  const r = num(c.reference[t.key])
  const ratio = l !== null && r !== null && r !== 0 ? l / r : null
  let met = ''
  if (t.check.kind === 'ratio') met = ratio === null ? '?' : ratio <= t.check.max ? 'yes' : 'no'
  if (t.check.kind === 'below') met = l === null ? '?' : l <= t.check.max ? 'yes' : 'no'
  if (t.check.kind === 'equal') met = l === t.check.value ? 'yes' : 'no'
  console.log(
    `| ${t.what} | ${withRange(l, c.spread?.loupe[t.key])} | ${withRange(r, c.spread?.reference[t.key])} | ${ratio === null ? '—' : ratio.toFixed(2)} | ${t.target} | ${met} |`,
  )
}
