/** Markdown tables: metric | Loupe | reference | ratio (Loupe/reference). */
import type { Metric, MetricRow, Metrics } from './scenarios/types.ts'

/** A server's figures for one case; a failed or skipped run carries only `error` or `skipped`. */
export type Outcome = Metrics

export interface CaseResult {
  label: string
  params: unknown
  loupe: Outcome
  reference: Outcome
}

/** Rows every case gets, after the scenario's own. */
export const COMMON_ROWS: MetricRow[] = [
  { key: 'serverCpuCores', label: 'server CPU (cores busy, window avg)' },
  { key: 'serverRssPeakMiB', label: 'server RSS peak (MiB)', digits: 1 },
  { key: 'loadgenCpuCores', label: 'load generator CPU (cores)' },
  { key: 'loadgenLagP99Ms', label: 'load generator loop lag p99 (ms)' },
  { key: 'unexpectedCloses', label: 'unexpected close codes' },
  { key: 'clientErrors', label: 'client errors' },
]

function pick(o: Outcome, key: string): Metric | undefined {
  return o[key]
}

function fmt(v: Metric | undefined, digits = 2): string {
  if (v === undefined || v === null) return '—'
  if (typeof v === 'string') return v
  return Number.isInteger(v) && digits <= 2 ? String(v) : v.toFixed(digits)
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
): string {
  const lines = [
    `### ${title}`,
    '',
    '| metric | Loupe | reference | ratio (Loupe/reference) |',
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
      lines.push(
        `| ${prefix}${row.label} | ${fmt(l, row.digits)} | ${fmt(r, row.digits)} | ${ratio} |`,
      )
    }
  }
  for (const n of notes) lines.push('', `> ${n}`)
  return lines.join('\n')
}
