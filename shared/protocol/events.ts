/**
 * The registry of event types (docs/product.md, "Live socket" and "Notifications and activity").
 * The server emits only these, `/api/capabilities` lists them with the JSON Schema of each
 * payload, and clients read the same definitions. Add types freely; rename none.
 */
import { z } from 'zod'

/** Which stream an event type goes to: its workspace's, its board's, or the owners' system stream. */
export type StreamKind = 'workspace' | 'board' | 'system'

const id = z.string()
const role = z.enum(['owner', 'editor', 'reviewer', 'viewer'])
const taskStatus = z.enum(['todo', 'doing', 'review', 'done'])
const actor = z.object({ id, name: z.string() })

export const eventRegistry = {
  'board.created': {
    stream: 'workspace',
    description: 'A board was created in the workspace.',
    data: z.object({ boardId: id, title: z.string() }),
  },
  'board.renamed': {
    stream: 'workspace',
    description: 'A board got a new title.',
    data: z.object({ boardId: id, title: z.string() }),
  },
  'board.archived': {
    stream: 'workspace',
    description: 'A board was archived: gone from listings, its sockets closed.',
    data: z.object({ boardId: id, title: z.string() }),
  },
  'board.unarchived': {
    stream: 'workspace',
    description: 'An archived board was brought back by an owner (the undo of deleting it).',
    data: z.object({ boardId: id, title: z.string() }),
  },
  'member.joined': {
    stream: 'workspace',
    description: 'Someone became a member (an invite was accepted).',
    data: z.object({ userId: id, name: z.string(), role }),
  },
  'member.removed': {
    stream: 'workspace',
    description: 'A member was removed or left.',
    data: z.object({ userId: id, name: z.string() }),
  },
  'member.role_changed': {
    stream: 'workspace',
    description: "A member's role changed.",
    data: z.object({ userId: id, name: z.string(), from: role, to: role }),
  },
  'task.created': {
    stream: 'board',
    description: 'A task was added to the board.',
    data: z.object({ taskId: id, title: z.string(), status: z.string() }),
  },
  'task.assigned': {
    stream: 'board',
    description: 'A task was assigned (assigneeId null: unassigned).',
    data: z.object({
      taskId: id,
      title: z.string(),
      assigneeId: id.nullable(),
      previousAssigneeId: id.nullable(),
    }),
  },
  'task.status_changed': {
    stream: 'board',
    description: "A task's status changed.",
    data: z.object({ taskId: id, title: z.string(), from: taskStatus.nullable(), to: taskStatus }),
  },
  'annotation.created': {
    stream: 'board',
    description: 'An annotation was drawn on a media item.',
    data: z.object({
      annotationId: id,
      mediaId: z.string(),
      shape: z.string(),
      timeMs: z.number().nullable(),
    }),
  },
  'comment.created': {
    stream: 'board',
    description: 'A comment was posted in a thread, with the users it mentions.',
    data: z.object({
      threadId: id,
      commentId: id,
      authorId: id,
      mentions: z.array(id),
      excerpt: z.string(),
    }),
  },
  'thread.resolved': {
    stream: 'board',
    description: 'A comment thread was marked resolved.',
    data: z.object({ threadId: id }),
  },
  'task.deleted': {
    stream: 'board',
    description: 'A task was deleted from the board.',
    data: z.object({ taskId: id, title: z.string() }),
  },
  'annotation.deleted': {
    stream: 'board',
    description: 'An annotation was deleted.',
    data: z.object({ annotationId: id, mediaId: z.string(), shape: z.string() }),
  },
  'thread.deleted': {
    stream: 'board',
    description: 'A comment thread was deleted with its comments (their count; the first quoted).',
    data: z.object({ threadId: id, comments: z.number(), excerpt: z.string() }),
  },
  'media.deleted': {
    stream: 'board',
    description: 'A media item was deleted from the board.',
    data: z.object({ mediaId: id, name: z.string() }),
  },
  'review.verdict': {
    stream: 'board',
    description:
      "Someone recorded their verdict on a media item's version (previous: their verdict before, if any).",
    data: z.object({
      mediaId: id,
      name: z.string(),
      userId: id,
      version: z.number(),
      verdict: z.enum(['approved', 'changes_requested']),
      previous: z.enum(['approved', 'changes_requested']).nullable(),
    }),
  },
  'lock.acquired': {
    stream: 'board',
    description: 'A lock was granted (directly, or to the next waiter in the queue).',
    data: z.object({
      key: z.string(),
      holder: actor,
      fencingToken: z.number(),
      expiresAt: z.number(),
      fromQueue: z.boolean(),
    }),
  },
  'lock.released': {
    stream: 'board',
    description:
      'A lock was released by its holder, forced free by an owner, freed when its session died, or freed when its holder lost the right to edit the board.',
    data: z.object({
      key: z.string(),
      holder: actor,
      reason: z.enum(['released', 'forced', 'session', 'membership']),
      // The token of the grant that ended (absent in events written before it was added). In
      // a cluster, events of one key written by different nodes may reach the stream out of
      // the order the locks changed in: the token says which grant an end belongs to.
      fencingToken: z.number().optional(),
    }),
  },
  'lock.expired': {
    stream: 'board',
    description: 'A lock reached the end of its time to live.',
    data: z.object({ key: z.string(), holder: actor, fencingToken: z.number().optional() }),
  },
  'lock.queued': {
    stream: 'board',
    description: 'Someone joined the wait queue of a held lock.',
    data: z.object({ key: z.string(), holder: actor, waiter: actor, position: z.number() }),
  },
  'version.named': {
    stream: 'board',
    description: "The board's current state was saved as a named version.",
    data: z.object({ versionId: id, name: z.string() }),
  },
  'version.restored': {
    stream: 'board',
    description:
      'A version was restored, as a new change on top: the whole board (entityType null) or one entity.',
    data: z.object({
      versionId: id,
      name: z.string().nullable(),
      versionCreatedAt: z.number(),
      entityType: z.string().nullable(),
      entityId: z.string().nullable(),
    }),
  },
  'lock.refused': {
    stream: 'board',
    description: 'A lock request was refused because someone else holds the lock.',
    data: z.object({ key: z.string(), holder: actor, requester: actor }),
  },
  'system.figures': {
    stream: 'system',
    description: 'Live server figures, every 5 seconds (owners only; not stored).',
    data: z.object({
      connections: z.number(),
      liveSessions: z.number(),
      rooms: z.number(),
      commitP99Ms: z.number().nullable(),
      eventLoopLagMs: z.number(),
      rssBytes: z.number(),
      heapUsedBytes: z.number(),
    }),
  },
} as const satisfies Record<string, { stream: StreamKind; description: string; data: z.ZodType }>

export type EventType = keyof typeof eventRegistry
export type EventData<T extends EventType> = z.infer<(typeof eventRegistry)[T]['data']>
export const eventTypeNames = Object.keys(eventRegistry) as EventType[]

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(eventRegistry, value)
}

export interface Actor {
  id: string
  name: string
}

/** An event as stored and sent: `{type:"event", stream, seq, event}` carries this. */
/** The actor of events the server emits by itself (expiries, session deaths, figures). */
export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'Loupe' }

export interface LoupeEvent<T extends EventType = EventType> {
  type: T
  ts: number
  actor: Actor
  boardId?: string
  data: EventData<T>
}

/** `workspace:<id>`, `board:<id>` or `system`. */
export type StreamName = `workspace:${string}` | `board:${string}` | 'system'

export function parseStream(stream: string): { kind: StreamKind; id: string } | null {
  if (stream === 'system') return { kind: 'system', id: '' }
  const match = /^(workspace|board):([A-Za-z0-9_-]{1,64})$/.exec(stream)
  return match ? { kind: match[1] as 'workspace' | 'board', id: match[2] as string } : null
}

/** Each registered type with the JSON Schema of its payload (for /api/capabilities). */
export function describeEventTypes() {
  return eventTypeNames.map((type) => ({
    type,
    description: eventRegistry[type].description,
    stream: eventRegistry[type].stream,
    schema: z.toJSONSchema(eventRegistry[type].data),
  }))
}
