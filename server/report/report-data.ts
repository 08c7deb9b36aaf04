/**
 * What a report shows, read from a board document into plain, checked values (report.ts renders
 * them). Every field is read defensively: any client writes these documents, so a number may
 * be a string, a shape may be half there, and `reviews` may be missing or odd.
 */
import * as Y from 'yjs'
import { BoardKey, type Shape } from '../../shared/schema/board.ts'

export interface ReportComment {
  id: string
  authorId: string
  body: string
  createdAt: number | null
  editedAt: number | null
  deleted: boolean
  reactions: Array<{ emoji: string; count: number }>
}

export interface ReportThread {
  id: string
  anchor: { type: string; id: string; timeMs: number | null }
  resolved: boolean
  createdBy: string
  createdAt: number | null
  comments: ReportComment[]
}

export interface ReportAnnotation {
  id: string
  /** 1, 2, ... in drawing order within its media item: the label on the picture. */
  label: number
  shape: Shape | null
  color: string
  version: number
  timeMs: number | null
  endMs: number | null
  authorId: string
  createdAt: number | null
  threadId: string | null
}

export interface ReportVerdict {
  userId: string
  verdict: string
  version: number | null
  at: number | null
}

export interface ReportMedia {
  id: string
  name: string
  kind: 'image' | 'video'
  hash: string
  width: number | null
  height: number | null
  durationMs: number | null
  /** The newest version's number (1 without versions). */
  version: number
  addedBy: string
  addedAt: number | null
  reviews: ReportVerdict[]
  annotations: ReportAnnotation[]
}

export interface ReportTask {
  id: string
  title: string
  description: string
  status: string
  priority: string
  assigneeId: string | null
  dueAt: number | null
  order: string
  createdBy: string
  createdAt: number | null
  updatedAt: number | null
}

export interface ReportData {
  title: string
  media: ReportMedia[]
  threads: ReportThread[]
  tasks: ReportTask[]
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const json = (v: unknown): unknown => (v instanceof Y.AbstractType ? v.toJSON() : v)
const text = (v: unknown): string => (v instanceof Y.Text ? v.toString() : str(v))
const STATUS_ORDER = ['todo', 'doing', 'review', 'done']

function entries(doc: Y.Doc, name: string): Array<[string, Y.Map<unknown>]> {
  const found: Array<[string, Y.Map<unknown>]> = []
  for (const [id, value] of doc.getMap(name).entries())
    if (value instanceof Y.Map) found.push([id, value as Y.Map<unknown>])
  return found
}

const byTime = (a: { createdAt: number | null }, b: { createdAt: number | null }) =>
  (a.createdAt ?? 0) - (b.createdAt ?? 0)

export function readReport(doc: Y.Doc): ReportData {
  const annotations = entries(doc, BoardKey.annotations)
    .map(([id, a]) => ({
      id,
      mediaId: str(a.get('mediaId')),
      label: 0,
      shape: readShape(json(a.get('shape'))),
      color: str(a.get('color')),
      version: num(a.get('version')) ?? 1,
      timeMs: num(a.get('timeMs')),
      endMs: num(a.get('endMs')),
      authorId: str(a.get('authorId')),
      createdAt: num(a.get('createdAt')),
      threadId: str(a.get('threadId')) || null,
    }))
    .sort(byTime)
  const media = entries(doc, BoardKey.media)
    .map(([id, m]): ReportMedia => {
      const versions = json(m.get('versions'))
      const newest = Array.isArray(versions)
        ? Math.max(1, ...versions.map((v) => num((v as { n?: unknown } | null)?.n) ?? 1))
        : 1
      const mine = annotations.filter((a) => a.mediaId === id)
      mine.forEach((a, i) => (a.label = i + 1))
      return {
        id,
        name: str(m.get('name')) || id,
        kind: m.get('kind') === 'video' ? 'video' : 'image',
        hash: str(m.get('hash')),
        width: num(m.get('width')),
        height: num(m.get('height')),
        durationMs: num(m.get('durationMs')),
        version: newest,
        addedBy: str(m.get('addedBy')),
        addedAt: num(m.get('addedAt')),
        reviews: readReviews(json(m.get('reviews'))),
        annotations: mine.map(({ mediaId: _, ...a }) => a),
      }
    })
    .sort((a, b) => (a.addedAt ?? 0) - (b.addedAt ?? 0))
  const threads = entries(doc, BoardKey.threads)
    .map(([id, t]): ReportThread => {
      const anchor = (json(t.get('anchor')) ?? {}) as Record<string, unknown>
      const comments = t.get('comments')
      return {
        id,
        anchor: { type: str(anchor.type), id: str(anchor.id), timeMs: num(anchor.timeMs) },
        resolved: t.get('resolved') === true,
        createdBy: str(t.get('createdBy')),
        createdAt: num(t.get('createdAt')),
        comments:
          comments instanceof Y.Array
            ? (comments.toArray() as unknown[]).filter((c) => c instanceof Y.Map).map(readComment)
            : [],
      }
    })
    .sort(byTime)
  const tasks = entries(doc, BoardKey.tasks)
    .map(([id, t]): ReportTask => ({
      id,
      title: str(t.get('title')),
      description: text(t.get('description')),
      status: str(t.get('status')) || 'todo',
      priority: str(t.get('priority')) || 'normal',
      assigneeId: str(t.get('assigneeId')) || null,
      dueAt: num(t.get('dueAt')),
      order: str(t.get('order')),
      createdBy: str(t.get('createdBy')),
      createdAt: num(t.get('createdAt')),
      updatedAt: num(t.get('updatedAt')),
    }))
    .sort((a, b) => statusRank(a.status) - statusRank(b.status) || compare(a.order, b.order))
  return { title: str(doc.getMap(BoardKey.meta).get('title')), media, threads, tasks }
}

const statusRank = (status: string) => {
  const i = STATUS_ORDER.indexOf(status)
  return i < 0 ? STATUS_ORDER.length : i
}
// Fractional indexes compare by code unit, not by locale.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function readComment(value: unknown): ReportComment {
  const c = value as Y.Map<unknown>
  const reactions = json(c.get('reactions'))
  return {
    id: str(c.get('id')),
    authorId: str(c.get('authorId')),
    body: str(c.get('body')),
    createdAt: num(c.get('createdAt')),
    editedAt: num(c.get('editedAt')),
    deleted: c.get('deleted') === true,
    reactions:
      reactions && typeof reactions === 'object'
        ? Object.entries(reactions as Record<string, unknown>)
            .map(([emoji, users]) => ({
              emoji,
              count: users && typeof users === 'object' ? Object.keys(users).length : 0,
            }))
            .filter((r) => r.count > 0)
        : [],
  }
}

function readReviews(value: unknown): ReportVerdict[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return []
  return Object.entries(value as Record<string, unknown>)
    .map(([userId, entry]) => {
      const e = (entry ?? {}) as Record<string, unknown>
      return { userId, verdict: str(e.verdict), version: num(e.version), at: num(e.at) }
    })
    .filter((r) => r.verdict !== '')
}

const point = (v: unknown) => {
  const p = (v ?? {}) as Record<string, unknown>
  const x = num(p.x)
  const y = num(p.y)
  return x === null || y === null ? null : { x, y }
}

/** A shape with every coordinate a finite number, or null. */
export function readShape(value: unknown): Shape | null {
  if (!value || typeof value !== 'object') return null
  const s = value as Record<string, unknown>
  const n = (key: string) => num(s[key])
  switch (s.type) {
    case 'pin': {
      const p = point(s)
      return p && { type: 'pin', ...p }
    }
    case 'rect': {
      const [x, y, w, h] = [n('x'), n('y'), n('w'), n('h')]
      return x === null || y === null || w === null || h === null
        ? null
        : { type: 'rect', x, y, w, h }
    }
    case 'ellipse': {
      const [cx, cy, rx, ry] = [n('cx'), n('cy'), n('rx'), n('ry')]
      return cx === null || cy === null || rx === null || ry === null
        ? null
        : { type: 'ellipse', cx, cy, rx, ry }
    }
    case 'arrow': {
      const [from, to] = [point(s.from), point(s.to)]
      return from && to && { type: 'arrow', from, to }
    }
    case 'path': {
      const points = Array.isArray(s.points) ? s.points.map(point) : []
      const valid = points.filter((p): p is { x: number; y: number } => p !== null)
      return valid.length > 0 ? { type: 'path', points: valid } : null
    }
    default:
      return null
  }
}
