/**
 * The board report (docs/product.md, "Export"): one self-contained HTML file — images embedded,
 * annotations drawn over them as inline SVG, verdicts, threads with authors and times, tasks —
 * with print CSS so a browser's "Save as PDF" gives a clean document. Every user string is
 * escaped (escape.ts), and the page's own CSP allows no script or remote load at all.
 */
import { escapeHtml as e } from './escape.ts'
import type { Picture } from './images.ts'
import type { ReportData, ReportMedia, ReportThread } from './report-data.ts'
import { annotationsSvg } from './svg.ts'

export interface ReportInput {
  data: ReportData
  boardId: string
  generatedAt: number
  /** Identifies the exact state reported (a hash of its state vector). */
  stateId: string
  nameOf(userId: string): string
  pictures: ReadonlyMap<string, Picture>
}

const VERDICTS: Readonly<Record<string, string>> = {
  approved: 'Approved',
  changes_requested: 'Changes requested',
}

const when = (ms: number | null) =>
  ms === null ? '' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`

/** `m:ss.mmm` (or `h:mm:ss.mmm`) for a time within a video. */
export function timecode(ms: number): string {
  const total = Math.max(0, Math.round(ms))
  const h = Math.floor(total / 3_600_000)
  const m = Math.floor(total / 60_000) % 60
  const s = Math.floor(total / 1000) % 60
  const rest = `${String(s).padStart(2, '0')}.${String(total % 1000).padStart(3, '0')}`
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

const STYLE = `
:root { color-scheme: light; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c2024 }
body { margin: 0 auto; padding: 24px; max-width: 960px }
h1 { font-size: 24px; margin: 0 0 4px } h2 { font-size: 18px; margin: 28px 0 8px } h3 { font-size: 15px; margin: 16px 0 6px }
.meta, .note, time, .muted { color: #60646c; font-size: 12px }
table { border-collapse: collapse; width: 100%; margin: 8px 0 }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #e0e1e6 }
th { font-weight: 600; background: #f9f9fb }
.frame { position: relative; width: 100%; background: #202225; border-radius: 4px; overflow: hidden }
.frame img, .frame .overlay { position: absolute; inset: 0; width: 100%; height: 100% }
.frame .missing { position: absolute; inset: 0; display: grid; place-items: center; color: #b0b4ba; padding: 16px; text-align: center }
.media, .thread, tr { break-inside: avoid }
.thread { border-left: 3px solid #e0e1e6; padding: 2px 0 2px 12px; margin: 10px 0 }
.thread.resolved { border-color: #30a46c }
.comment { margin: 6px 0 } .body { white-space: pre-wrap; overflow-wrap: anywhere }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: #eceef0 }
.approved { background: #d6f1df } .changes_requested { background: #ffe5d0 }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact }
@page { size: A4; margin: 14mm }
@media print { body { padding: 0; max-width: none } h2 { break-after: avoid } }
`

export function renderReport(input: ReportInput): string {
  const { data } = input
  const title = data.title || input.boardId
  const annotationThreads = new Map<string, string>()
  for (const m of data.media) for (const a of m.annotations) annotationThreads.set(a.id, m.id)
  const mediaOf = (t: ReportThread) =>
    t.anchor.type === 'media' ? t.anchor.id : annotationThreads.get(t.anchor.id)
  const loose = data.threads.filter((t) => !data.media.some((m) => m.id === mediaOf(t)))
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} — review report</title><style>${STYLE}</style></head><body>
<header><h1>${e(title)}</h1>
<p class="meta">Review report · board ${e(input.boardId)} · state ${e(input.stateId)} · generated ${e(when(input.generatedAt))} · ${data.media.length} media, ${data.threads.length} threads, ${data.tasks.length} tasks</p></header>
${verdictTable(input)}
${data.media
  .map((m, i) =>
    mediaSection(
      input,
      m,
      i,
      data.threads.filter((t) => mediaOf(t) === m.id),
    ),
  )
  .join('\n')}
${taskTable(input)}
${loose.length > 0 ? `<h2>Other threads</h2>${loose.map((t) => threadHtml(input, t)).join('')}` : ''}
</body></html>
`
}

function verdictTable(input: ReportInput): string {
  const rows = input.data.media.flatMap((m) =>
    m.reviews.map(
      (r) =>
        `<tr><td>${e(m.name)}</td><td>v${e(r.version ?? '?')}${r.version !== null && r.version !== m.version ? ' <span class="muted">(older)</span>' : ''}</td>` +
        `<td>${e(input.nameOf(r.userId))}</td><td><span class="badge ${r.verdict === 'approved' ? 'approved' : r.verdict === 'changes_requested' ? 'changes_requested' : ''}">${e(VERDICTS[r.verdict] ?? r.verdict)}</span></td><td>${e(when(r.at))}</td></tr>`,
    ),
  )
  return `<h2>Verdicts</h2>${
    rows.length > 0
      ? `<table><thead><tr><th>Media</th><th>Version</th><th>Reviewer</th><th>Verdict</th><th>When</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="note">No verdicts yet.</p>'
  }`
}

function mediaSection(input: ReportInput, m: ReportMedia, index: number, threads: ReportThread[]) {
  const picture = input.pictures.get(m.id) ?? { omitted: 'not available', width: 1600, height: 900 }
  const drawn = m.annotations.filter((a) => a.version === m.version)
  const frame =
    `<div class="frame" style="aspect-ratio: ${picture.width} / ${picture.height}">` +
    ('src' in picture
      ? `<img src="${e(picture.src)}" alt="${e(m.name)}">`
      : `<div class="missing">${e(picture.omitted)}</div>`) +
    annotationsSvg(drawn, picture.width, picture.height, `arrow-${index}`) +
    '</div>'
  const notes = m.annotations.map((a) => {
    const range =
      a.timeMs !== null
        ? ` · at ${timecode(a.timeMs)}${a.endMs !== null ? `–${timecode(a.endMs)}` : ''}`
        : ''
    const older = a.version !== m.version ? ` · on version ${a.version}, not drawn` : ''
    return `<li>#${a.label} ${e(a.shape?.type ?? 'shape')} by ${e(input.nameOf(a.authorId))}${e(range)}${e(older)} <time>${e(when(a.createdAt))}</time></li>`
  })
  return `<section class="media"><h2>${e(m.name)} <span class="muted">${e(m.kind)} · version ${e(m.version)}</span></h2>
${frame}
${notes.length > 0 ? `<ol class="annotations">${notes.join('')}</ol>` : '<p class="note">No annotations.</p>'}
${threads.map((t) => threadHtml(input, t)).join('')}</section>`
}

function threadHtml(input: ReportInput, t: ReportThread): string {
  const on =
    t.anchor.type === 'task'
      ? `task “${input.data.tasks.find((task) => task.id === t.anchor.id)?.title ?? t.anchor.id}”`
      : t.anchor.type === 'annotation'
        ? `annotation #${input.data.media.flatMap((m) => m.annotations).find((a) => a.id === t.anchor.id)?.label ?? '?'}`
        : t.anchor.type || 'board'
  const at = t.anchor.timeMs !== null ? ` at ${timecode(t.anchor.timeMs)}` : ''
  const comments = t.comments.map((c) => {
    const reactions = c.reactions.map((r) => `${e(r.emoji)} ${r.count}`).join(' ')
    return `<div class="comment"><strong>${e(input.nameOf(c.authorId))}</strong> <time>${e(when(c.createdAt))}${c.editedAt ? ' (edited)' : ''}</time>
<div class="body">${c.deleted ? '<em class="muted">deleted</em>' : e(c.body)}</div>${reactions ? `<div class="muted">${reactions}</div>` : ''}</div>`
  })
  return `<article class="thread${t.resolved ? ' resolved' : ''}"><h3>Thread on ${e(on)}${e(at)} <span class="badge">${t.resolved ? 'resolved' : 'open'}</span></h3>${comments.join('')}</article>`
}

function taskTable(input: ReportInput): string {
  const rows = input.data.tasks.map(
    (t) =>
      `<tr><td>${e(t.title)}${t.description ? `<div class="body muted">${e(t.description)}</div>` : ''}</td><td>${e(t.status)}</td><td>${e(t.priority)}</td>` +
      `<td>${e(t.assigneeId ? input.nameOf(t.assigneeId) : '')}</td><td>${e(when(t.dueAt))}</td></tr>`,
  )
  return `<h2>Tasks</h2>${
    rows.length > 0
      ? `<table><thead><tr><th>Task</th><th>Status</th><th>Priority</th><th>Assignee</th><th>Due</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p class="note">No tasks.</p>'
  }`
}
