/** Relative times ("2 min ago") that stay current, with the exact time for a tooltip. */
import { createSignal } from 'solid-js'

const [now, setNow] = createSignal(Date.now())
// One clock for every timestamp on the page: a re-render a minute is enough for "min ago".
setInterval(() => setNow(Date.now()), 30_000)
export { now }

export function timeAgo(at: number, reference = now()): string {
  const seconds = Math.max(0, Math.round((reference - at) / 1000))
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} h ago`
  const days = Math.round(hours / 24)
  if (days === 1) return 'yesterday'
  if (days < 7) return `${days} days ago`
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
}

export function exactTime(at: number): string {
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
