/** Markdown tables: metric | Loupe | reference | ratio (Loupe/reference). */
import type { Metric, MetricRow, Metrics } from './scenarios/types.ts'

/** A server's figures for one case; a failed or skipped run carries only `error` or `skipped`. */
export type Outcome = Metrics

/** Each numeric figure's smallest and largest value over the runs of a case. */
export type Spread = Record<string, [min: number, max: number]>

export interface CaseResult {
  label: string
  params: unknown
  /** Medians over the runs (a figure missing from some runs: the median of the others). */
  loupe: Outcome
  reference: Outcome
  spread?: { loupe: Spread; reference: Spread }
  /** Every run's own figures, in the order they ran (Loupe and the reference alternating). */
  runs?: { loupe: Outcome[]; reference: Outcome[] }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/**
 * Folds the runs of one server into medians and spreads. Failed runs are left out and
 * counted (`failedRuns`, with the first error); only when every run failed is it an error.
 */
export function aggregate(runs: Outcome[]): { median: Outcome; spread: Spread } {
  const ok = runs.filter((r) => typeof r.error !== 'string' && typeof r.skipped !== 'string')
  if (ok.length === 0) return { median: runs[0] ?? {}, spread: {} }
  const out: Outcome = {}
  const spread: Spread = {}
  const keys = new Set(ok.flatMap((r) => Object.keys(r)))
  for (const key of keys) {
    const values = ok.map((r) => r[key]).filter((v) => v !== undefined && v !== null)
    const numbers = values.filter((v): v is number => typeof v === 'number')
    if (numbers.length > 0 && numbers.length === values.length) {
      const m = median(numbers)
      out[key] = Number.isInteger(m) ? m : Math.round(m * 1000) / 1000
      spread[key] = [Math.min(...numbers), Math.max(...numbers)]
    } else if (values.length > 0) {
      // Text figures (close codes, error kinds): each distinct one, so nothing is hidden.
      out[key] = [...new Set(values.map(String))].join(' / ')
    }
  }
  const failed = runs.length - ok.length
  if (failed > 0) {
    const first = runs.find((r) => typeof r.error === 'string')?.error
    out.failedRuns = `${failed} of ${runs.length}${first ? `: ${String(first).slice(0, 200)}` : ''}`
  }
  out.runs = ok.length
  return { median: out, spread }
}

/** Rows every case gets, after the scenario's own. */
export const COMMON_ROWS: MetricRow[] = [
  { key: 'serverCpuPerWorkUs', label: 'server CPU per unit of work (µs; unit below)', digits: 1 },
  { key: 'serverSysPerWorkUs', label: '… of it in the kernel (µs)', digits: 1 },
  { key: 'workUnit', label: 'unit of work' },
  { key: 'serverCpuCores', label: 'server CPU (cores busy, window avg)' },
  { key: 'serverRssPeakMiB', label: 'server RSS peak (MiB)', digits: 1 },
  { key: 'loadgenCpuCores', label: 'load generator CPU (cores)' },
  { key: 'loadgenLagP99Ms', label: 'load generator loop lag p99 (ms)' },
  { key: 'machineLoad1m', label: 'machine load average (1 min) as the run started' },
  { key: 'unexpectedCloses', label: 'unexpected close codes' },
  { key: 'clientErrors', label: 'client errors' },
  { key: 'failedRuns', label: 'failed runs' },
]

function pick(o: Outcome, key: string): Metric | undefined {
  return o[key]
}

function fmt(v: Metric | undefined, digits = 2): string {
  if (v === undefined || v === null) return '—'
  if (typeof v === 'string') return v
  return Number.isInteger(v) && digits <= 2 ? String(v) : v.toFixed(digits)
}

/** The median, and the range of the runs after it when they differ. */
function fmtSpread(v: Metric | undefined, range: [number, number] | undefined, digits = 2): string {
  const text = fmt(v, digits)
  if (!range || typeof v !== 'number' || range[0] === range[1]) return text
  return `${text} (${fmt(range[0], digits)}–${fmt(range[1], digits)})`
}

/** Two decimals, but two significant digits for small ratios so 0.004 does not print as 0.00. */
function fmtRatio(x: number): string {
  return Math.abs(x) >= 0.1 || x === 0 ? x.toFixed(2) : x.toPrecision(2)
}

function status(o: Outcome): string | null {
  if (typeof o.error === 'string')
    return `error: ${(o.error.split('\n')[0] ?? '').replaceAll('|', '/').slice(0, 160)}`
  if (typeof o.skipped === 'string') return `skipped: ${o.skipped}`
  return null
}

export function table(
  title: string,
  rows: MetricRow[],
  cases: CaseResult[],
  notes: string[] = [],
  columns: { first: string; second: string } = { first: 'Loupe', second: 'reference' },
): string {
  const { first, second } = columns
  const lines = [
    `### ${title}`,
    '',
    `| metric | ${first}: median (min–max) | ${second}: median (min–max) | ratio of medians (${first}/${second}) |`,
    '|---|---:|---:|---:|',
  ]
  for (const c of cases) {
    const prefix = cases.length > 1 || c.label ? `${c.label} · ` : ''
    const ls = status(c.loupe)
    const rs = status(c.reference)
    if (ls || rs) lines.push(`| ${prefix}status | ${ls ?? 'ok'} | ${rs ?? 'ok'} | |`)
    for (const row of [...rows, ...COMMON_ROWS]) {
      const l = pick(c.loupe, row.key)
      const r = pick(c.reference, row.key)
      if (l === undefined && r === undefined) continue
      const ratio =
        typeof l === 'number' && typeof r === 'number' && r !== 0 ? fmtRatio(l / r) : '—'
      const ln = fmtSpread(l, c.spread?.loupe[row.key], row.digits)
      const rn = fmtSpread(r, c.spread?.reference[row.key], row.digits)
      lines.push(`| ${prefix}${row.label} | ${ln} | ${rn} | ${ratio} |`)
    }
  }
  for (const n of notes) lines.push('', `> ${n}`)
  return lines.join('\n')
}
