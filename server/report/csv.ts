/**
 * A board's tasks as CSV (docs/product.md, "Export"): a header row, one task a row, quoted per
 * RFC 4180 (fields with a comma, quote or line break in double quotes, quotes doubled, CRLF
 * between records). Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in
 * some, a tab or carriage return) as a formula, so such a cell gets a leading apostrophe
 * (OWASP, "CSV Injection"): it shows as the text it is.
 */
import type { ReportTask } from './report-data.ts'

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export const TASK_COLUMNS = [
  'id',
  'title',
  'status',
  'priority',
  'assignee',
  'assignee_id',
  'due',
  'description',
  'created_by',
  'created_at',
  'updated_at',
] as const

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString())

/** UTF-8 with a byte-order mark, which spreadsheet programs need to read UTF-8 as such. */
export function tasksCsv(tasks: readonly ReportTask[], nameOf: (userId: string) => string): string {
  const rows = tasks.map((t) => [
    t.id,
    t.title,
    t.status,
    t.priority,
    t.assigneeId ? nameOf(t.assigneeId) : '',
    t.assigneeId ?? '',
    iso(t.dueAt),
    t.description,
    t.createdBy ? nameOf(t.createdBy) : '',
    iso(t.createdAt),
    iso(t.updatedAt),
  ])
  return `\uFEFF${[[...TASK_COLUMNS], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
}
