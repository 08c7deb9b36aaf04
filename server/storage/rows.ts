/**
 * Stored rows as the server uses them, for both stores: SQLite and PostgreSQL keep the same
 * tables in the same columns and units (ids as text, times as epoch milliseconds, JSON as
 * text), so one mapping per table serves both.
 */
import type { LinkRole } from '../../shared/api.ts'
import type { Actor, EventType, LoupeEvent } from '../../shared/protocol/events.ts'
import type { Notification, NotificationType } from '../../shared/protocol/notifications.ts'
import type { Role } from '../../shared/roles.ts'
import type { Invite } from '../db/accounts.ts'
import type { Board, Workspace } from '../db/directory.ts'
import type { ShareLink } from '../db/share-links.ts'
import type { StoredEvent } from '../events/event-log.ts'

export interface InviteRow {
  id: string
  workspace_id: string
  role: Role
  created_by: string
  created_at: number
  expires_at: number
  max_uses: number
  uses: number
  revoked_at: number | null
}

export const INVITE_COLUMNS =
  'id, workspace_id, role, created_by, created_at, expires_at, max_uses, uses, revoked_at'

export const toInvite = (row: InviteRow): Invite => ({
  id: row.id,
  workspaceId: row.workspace_id,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  maxUses: row.max_uses,
  uses: row.uses,
  revokedAt: row.revoked_at,
})

export interface BoardRow {
  id: string
  workspace_id: string
  title: string
  created_by: string
  created_at: number
  updated_at: number
  archived_at: number | null
}

export const BOARD_COLUMNS =
  'id, workspace_id, title, created_by, created_at, updated_at, archived_at'

export const toBoard = (row: BoardRow): Board => ({
  id: row.id,
  workspaceId: row.workspace_id,
  title: row.title,
  createdBy: row.created_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  archivedAt: row.archived_at,
})

export interface WorkspaceRow {
  id: string
  name: string
  created_by: string
  created_at: number
}

export const toWorkspace = (row: WorkspaceRow): Workspace => ({
  id: row.id,
  name: row.name,
  createdBy: row.created_by,
  createdAt: row.created_at,
})

export interface ShareLinkRow {
  id: string
  board_id: string
  role: LinkRole
  password_hash: string | null
  created_by: string
  created_at: number
  expires_at: number
  revoked_at: number | null
}

export const toShareLink = (row: ShareLinkRow): ShareLink => ({
  id: row.id,
  boardId: row.board_id,
  role: row.role,
  createdBy: row.created_by,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
})

export interface NotificationRow {
  id: string
  type: NotificationType
  actor_id: string
  actor_name: string
  board_id: string | null
  thread_id: string | null
  comment_id: string | null
  task_id: string | null
  data: string | null
  count: number
  created_at: number
  updated_at: number
  read_at: number | null
}

export const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  type: row.type,
  actor: { id: row.actor_id, name: row.actor_name },
  boardId: row.board_id,
  threadId: row.thread_id,
  commentId: row.comment_id,
  taskId: row.task_id,
  count: row.count,
  data: row.data ? JSON.parse(row.data) : null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  readAt: row.read_at,
})

export interface EventRow {
  seq: number
  type: string
  ts: number
  actor_id: string
  actor_name: string
  board_id: string | null
  data: string
}

export const toStoredEvent = (row: EventRow): StoredEvent => ({
  seq: row.seq,
  event: {
    type: row.type as EventType,
    ts: row.ts,
    actor: { id: row.actor_id, name: row.actor_name } satisfies Actor,
    ...(row.board_id ? { boardId: row.board_id } : {}),
    data: JSON.parse(row.data),
  } as LoupeEvent,
})
