/**
 * A task's due date is a calendar day. It is stored (`dueAt`, ms; docs/product.md "The data")
 * as that day's midnight UTC — what a date input's value parses to — and read back as a UTC
 * day wherever the reader is: read in local time, midnight UTC is the evening before for
 * everyone west of UTC, and the card said the day before.
 */

const DAY = 86_400_000

/** A date input's value (`2026-03-14`) as the stored day; '' clears it. */
export function dueFromInput(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null
}

/** The stored day as a date input's value. */
export function dueToInput(dueAt: number | null | undefined): string {
  return typeof dueAt === 'number' && Number.isFinite(dueAt)
    ? new Date(dueAt).toISOString().slice(0, 10)
    : ''
}

/** Today, where the reader is, as a stored day (its midnight UTC). */
export function today(now: Date = new Date()): number {
  return Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())
}

/** "Mar 14", with the year when it is not this one. */
export function dueLabel(dueAt: number, now: Date = new Date()): string {
  const day = new Date(dueAt)
  return day.toLocaleDateString(undefined, {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    ...(day.getUTCFullYear() !== now.getFullYear() ? { year: 'numeric' as const } : {}),
  })
}

export type DueWhen = 'overdue' | 'today' | 'week' | 'later' | 'none'

/** Where a due day falls from today: past, today, within the next 7 days, later, or unset. */
export function dueWhen(dueAt: number | null | undefined, now: Date = new Date()): DueWhen {
  if (typeof dueAt !== 'number' || !Number.isFinite(dueAt)) return 'none'
  const day = Math.floor(dueAt / DAY) * DAY
  const start = today(now)
  if (day < start) return 'overdue'
  if (day === start) return 'today'
  return day <= start + 7 * DAY ? 'week' : 'later'
}
