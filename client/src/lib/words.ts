/**
 * Human words for what happened: events and lock keys name things by their title ("alice
 * started editing “Check the night exposure”"), never by id.
 */
import { parseLockKey } from '../../../shared/protocol/locks.ts'
import type { EntityType } from '../../../shared/schema/board.ts'
import type { ActivityEvent } from './api.ts'

/** Looks entities up by id in the open board (its Yjs-backed stores). */
export interface Names {
  entity(entityType: EntityType, id: string): string | null
  person(id: string): string | null
}

const quote = (text: string) => `“${text.length > 60 ? `${text.slice(0, 57)}…` : text}”`

const shapeWords: Record<string, string> = {
  pin: 'a pin',
  rect: 'a rectangle',
  ellipse: 'an ellipse',
  arrow: 'an arrow',
  path: 'a freehand mark',
}

export const shapeName: Record<string, string> = {
  pin: 'Pin',
  rect: 'Rectangle',
  ellipse: 'Ellipse',
  arrow: 'Arrow',
  path: 'Freehand mark',
}

const kindWords: Record<EntityType, string> = {
  task: 'a task',
  media: 'a media item',
  thread: 'a thread',
  annotation: 'an annotation',
}

/** The thing a lock key names: its title in quotes, or what kind of thing it was. */
export function lockedThing(key: unknown, names: Names): string {
  const parsed = parseLockKey(key)
  if (!parsed) return 'something'
  const title = names.entity(parsed.entityType, parsed.entityId)
  return title ? quote(title) : kindWords[parsed.entityType]
}

const statusWords: Record<string, string> = {
  todo: 'To do',
  doing: 'Doing',
  review: 'Review',
  done: 'Done',
}

export function describeEvent(e: ActivityEvent, names: Names): string {
  const d = e.data
  const who = e.actor.name
  const title = (fallback: unknown) =>
    quote(
      (typeof d.taskId === 'string' && names.entity('task', d.taskId)) || String(fallback ?? ''),
    )
  switch (e.type) {
    case 'task.created':
      return `${who} added the task ${title(d.title)}`
    case 'task.assigned': {
      const to = typeof d.assigneeId === 'string' ? names.person(d.assigneeId) : null
      return d.assigneeId
        ? `${who} assigned ${title(d.title)}${to ? ` to ${to}` : ''}`
        : `${who} unassigned ${title(d.title)}`
    }
    case 'task.status_changed':
      return `${who} moved ${title(d.title)} to ${statusWords[String(d.to)] ?? String(d.to)}`
    case 'annotation.created': {
      const media = typeof d.mediaId === 'string' ? names.entity('media', d.mediaId) : null
      return `${who} drew ${shapeWords[String(d.shape)] ?? 'a mark'}${media ? ` on ${quote(media)}` : ''}`
    }
    case 'comment.created':
      return `${who} commented: ${quote(String(d.excerpt ?? ''))}`
    case 'thread.resolved': {
      const thread = typeof d.threadId === 'string' ? names.entity('thread', d.threadId) : null
      return `${who} resolved ${thread ? `the thread ${quote(thread)}` : 'a thread'}`
    }
    case 'task.deleted':
      return `${who} deleted the task ${quote(String(d.title ?? ''))}`
    case 'thread.deleted': {
      const n = typeof d.comments === 'number' ? d.comments : 0
      const excerpt = typeof d.excerpt === 'string' && d.excerpt ? ` ${quote(d.excerpt)}` : ''
      return `${who} deleted the thread${excerpt}${n > 0 ? ` with its ${n === 1 ? 'comment' : `${n} comments`}` : ''}`
    }
    case 'version.named':
      return `${who} named this version of the board ${quote(String(d.name ?? ''))}`
    case 'version.restored': {
      const type = typeof d.entityType === 'string' ? (d.entityType as EntityType) : null
      const id = typeof d.entityId === 'string' ? d.entityId : null
      const title = type && id && kindWords[type] ? names.entity(type, id) : null
      const what =
        type && id ? (title ? quote(title) : (kindWords[type] ?? 'something')) : 'the board'
      const from =
        typeof d.name === 'string' && d.name
          ? quote(d.name)
          : typeof d.versionCreatedAt === 'number'
            ? `the version of ${new Date(d.versionCreatedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`
            : 'an earlier version'
      return `${who} restored ${what} from ${from}`
    }
    case 'annotation.deleted': {
      const media = typeof d.mediaId === 'string' ? names.entity('media', d.mediaId) : null
      return `${who} deleted ${shapeWords[String(d.shape)] ?? 'a mark'}${media ? ` on ${quote(media)}` : ''}`
    }
    case 'media.deleted':
      return `${who} deleted the media ${quote(String(d.name ?? ''))}`
    case 'review.verdict': {
      const media = quote(
        (typeof d.mediaId === 'string' && names.entity('media', d.mediaId)) || String(d.name ?? ''),
      )
      const version = typeof d.version === 'number' ? ` (v${d.version})` : ''
      return d.verdict === 'approved'
        ? `${who} approved ${media}${version}`
        : `${who} requested changes on ${media}${version}`
    }
    case 'lock.acquired':
      return `${who} started editing ${lockedThing(d.key, names)}`
    case 'lock.released':
    case 'lock.expired': {
      const holder = (d.holder as { name?: string } | undefined)?.name ?? who
      return `${holder} finished with ${lockedThing(d.key, names)}`
    }
    case 'lock.queued': {
      const waiter = (d.waiter as { name?: string } | undefined)?.name ?? who
      return `${waiter} is waiting for ${lockedThing(d.key, names)}`
    }
    default:
      return `${who}: ${e.type.replace(/[._]/g, ' ')}`
  }
}
