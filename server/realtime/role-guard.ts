/**
 * What a reviewer may change on a board (docs/product.md, "Document socket": comment only). Pure
 * rules over one located change; doc-changes.ts locates each struct of an update, and the room
 * reverts what these refuse (revert.ts), like an edit under someone else's lock.
 *
 * A reviewer may: create threads (as their creator) and comments (as their author); edit and
 * soft-delete their own comments (body, mentions, editedAt, deleted); add and remove their own
 * reactions on any comment; resolve and reopen any thread; draw annotations of their own and
 * change or delete those (and link a new thread to any annotation that has none); and write their
 * own entry in a media item's `reviews`. Nothing else: no meta, tasks or media fields, no one
 * else's annotations or comments, no deleting threads or comments outright (comments are
 * deleted softly), and no top-level types of their own.
 */
import { isReviewEntry } from '../../shared/schema/board.ts'

/** What a path held before or after the update: a plain value, or an entity made by `owner`. */
export interface Held {
  value?: unknown
  /** Who made what is held here (an entity's or a comment's author or creator). */
  owner?: string | null
}

/**
 * Who owns the entity (or comment) a change is inside, whether the update made it, and whether
 * it removed it (then its fields go with it, and the removal itself is what is decided).
 */
export interface Owner {
  owner: string | null
  created: boolean
  removed?: boolean
}

export interface Change {
  /** Where: `['tasks', id, 'title']`, `['threads', id, 'comments', commentId, 'body']`, … */
  path: readonly string[]
  /** What the path held before the update and holds after it (null: nothing). */
  before: Held | null
  after: Held | null
  /** The entity the change is inside (`path[0..1]`), if it is deeper than the entity itself. */
  entity: Owner | null
  /** In a thread, the comment the change is inside (`path[2..3]`), if deeper than it. */
  comment: Owner | null
}

/** Fields of their own comment a reviewer may change after posting it. */
const EDITABLE_COMMENT_FIELDS: ReadonlySet<string> = new Set([
  'body',
  'mentions',
  'editedAt',
  'deleted',
])

/** Whether a reviewer (`actor`) may make this change. */
export function reviewerMay(actor: string, change: Change): boolean {
  // Made and removed within the same update: nothing changed.
  if (change.before === null && change.after === null) return true
  switch (change.path[0]) {
    case 'annotations':
      return annotationMay(actor, change)
    case 'threads':
      return threadMay(actor, change)
    case 'media':
      return mediaMay(actor, change)
    default:
      // meta, tasks, and anything a client invents.
      return false
  }
}

/** Only what they drew: made by them, or changed and deleted while it is theirs. */
function annotationMay(actor: string, { path, before, after, entity }: Change): boolean {
  if (path.length <= 2)
    return (before === null || before.owner === actor) && (after === null || after.owner === actor)
  if (entity?.removed) return true
  // Starting a thread on anyone's annotation links it there, once: part of creating a thread.
  if (path[2] === 'threadId' && path.length === 3 && before === null) return true
  if (entity?.owner !== actor) return false
  // Who drew an annotation is fixed once it is drawn.
  return path[2] !== 'authorId' || entity.created
}

function threadMay(actor: string, change: Change): boolean {
  const { path, before, after, entity, comment } = change
  // A thread of their own may be started; none may be deleted or replaced.
  if (path.length <= 2) return before === null && after?.owner === actor
  if (entity?.removed) return true
  const field = path[2]
  if (field === 'resolved') return after === null || typeof after.value === 'boolean'
  if (field !== 'comments') return !!entity?.created && entity.owner === actor
  // The comments list itself: only as part of a new thread, or where none was.
  if (path.length === 3) return !!entity?.created || before === null
  // A comment: posted as its author; comments are never removed outright (deleted softly).
  if (path.length === 4) return before === null && after?.owner === actor
  if (comment?.removed) return true
  const commentField = path[4] as string
  if (commentField === 'reactions') {
    if (path.length === 5) return !!comment?.created || before === null
    // An emoji's set of users may be started by anyone, never replaced or removed...
    if (path.length === 6) return before === null
    // ...and in it each user toggles only themselves.
    return path[6] === actor
  }
  if (comment?.owner !== actor) return false
  return comment.created || EDITABLE_COMMENT_FIELDS.has(commentField)
}

/** Media items are editors' work; a reviewer writes only their own verdict. */
function mediaMay(actor: string, { path, before, after, entity }: Change): boolean {
  if (path.length > 2 && entity?.removed) return true
  if (path[2] !== 'reviews') return false
  // `reviews` itself, on an item made before it existed.
  if (path.length === 3) return before === null
  if (path.length > 4 || path[3] !== actor) return false
  return after === null || isReviewEntry(after.value)
}
