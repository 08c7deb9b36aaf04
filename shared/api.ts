/**
 * The HTTP API's shapes (docs/product.md, "HTTP API"), declared once: the server validates
 * request bodies with these schemas and types its answers with these interfaces; the web
 * client's api module sends and reads the same types.
 */
import { z } from 'zod'
import { ID_PATTERN } from './ids.ts'
import type { LoupeEvent } from './protocol/events.ts'
import type { Lock } from './protocol/locks.ts'
import type { Notification } from './protocol/notifications.ts'
import type { PublicUser } from './protocol/presence.ts'
import { roles, type Role } from './roles.ts'
import type { MediaKind } from './schema/board.ts'
import { EntityCollection, type EntityType } from './schema/board.ts'

// Requests.

export const nameSchema = z.string().trim().min(1).max(64)
export const passwordSchema = z.string().min(8, { error: 'at least 8 characters' }).max(200)
const roleSchema = z.enum(roles as [Role, ...Role[]])
const boardTitle = z.string().trim().min(1).max(200)

export const setupRequest = z.object({
  code: z.string().min(1).max(100),
  name: nameSchema,
  password: passwordSchema,
})
export const loginRequest = z.object({ name: nameSchema, password: z.string().min(1).max(200) })
export const acceptInviteRequest = z.object({ name: nameSchema, password: passwordSchema })
export const createWorkspaceRequest = z.object({ name: z.string().trim().min(1).max(100) })
export const createBoardRequest = z.object({
  title: boardTitle,
  id: z.string().regex(ID_PATTERN, 'letters, digits, - and _, at most 64').optional(),
})
export const patchBoardRequest = z.object({ title: boardTitle })
export { boardTitle as boardTitleSchema }
export const inviteRequest = z.object({
  role: roleSchema,
  /** An existing user to invite: they get an `invite` notification with the link. */
  userId: z.string().max(64).optional(),
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional(),
  maxUses: z.number().int().min(1).max(1000).optional(),
})
export const patchMemberRequest = z.object({ role: roleSchema })

/** The roles a share link may give a guest: outsiders never edit. */
export const linkRoles = ['reviewer', 'viewer'] as const
export type LinkRole = (typeof linkRoles)[number]
export const createLinkRequest = z.object({
  role: z.enum(linkRoles),
  /** Default 7 days: a link that never ends is a link nobody remembers to revoke. */
  expiresInHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .optional(),
  password: passwordSchema.optional(),
})
export const joinLinkRequest = z.object({
  name: nameSchema,
  password: z.string().min(1).max(200).optional(),
})
export const markReadRequest = z.object({ ids: z.array(z.string().max(64)).max(1000) })

const lockKeyField = z.string().max(200)
export const acquireLockRequest = z.object({
  key: lockKeyField,
  ttlMs: z.number().int().positive().optional(),
  wait: z.boolean().optional(),
  /** Ties the lock to a live session of the caller (released when the session dies). */
  sessionId: z.string().max(64).optional(),
  /** Makes a retry after a lost reply safe: the same id gets the first answer. */
  requestId: z.string().max(64).optional(),
})
export const renewLockRequest = z.object({
  key: lockKeyField,
  ttlMs: z.number().int().positive().optional(),
  sessionId: z.string().max(64).optional(),
})
export const lockKeyRequest = z.object({
  key: lockKeyField,
  sessionId: z.string().max(64).optional(),
})

export type SetupRequest = z.input<typeof setupRequest>
export type LoginRequest = z.input<typeof loginRequest>
export type AcceptInviteRequest = z.input<typeof acceptInviteRequest>
export type CreateBoardRequest = z.input<typeof createBoardRequest>
export type InviteRequest = z.input<typeof inviteRequest>
export type CreateLinkRequest = z.input<typeof createLinkRequest>
export type JoinLinkRequest = z.input<typeof joinLinkRequest>

// Answers.

/** Every route that signs someone in answers this (the refresh token goes in a cookie). */
export interface SessionResponse {
  user: PublicUser
  accessToken: string
  expiresAt: number
}

export interface WorkspaceSummary {
  id: string
  name: string
  createdBy: string
  createdAt: number
}

export interface WorkspaceWithRole extends WorkspaceSummary {
  role: Role
}

export interface BoardSummary {
  id: string
  workspaceId: string
  title: string
  createdBy: string
  createdAt: number
  updatedAt: number
  archivedAt: number | null
}

export interface Member extends PublicUser {
  role: Role
  joinedAt: number
}

export interface MeResponse {
  user: PublicUser
  workspaces: WorkspaceWithRole[]
  /** Present for a guest: the one board their share link opens, and what they may do there. */
  guest?: GuestInfo
}

export interface GuestInfo {
  boardId: string
  role: LinkRole
  expiresAt: number
}

/** A share link as its board's owners see it (the token is shown only once, at creation). */
export interface ShareLinkSummary {
  id: string
  boardId: string
  role: LinkRole
  createdBy: string
  createdAt: number
  expiresAt: number
  revokedAt: number | null
  hasPassword: boolean
  /** How many guests joined through it. */
  guests: number
  state: 'active' | 'expired' | 'revoked'
}

export interface CreateLinkResponse {
  link: ShareLinkSummary & { token: string; url: string }
}

export interface JoinLinkResponse extends SessionResponse {
  boardId: string
  role: LinkRole
}

/** Everyone whose name may appear on a board: the workspace's members and the board's guests. */
export interface BoardPerson extends PublicUser {
  role: Role
  guest: boolean
}

export interface InviteResponse {
  code: string
  url: string
  expiresAt: number
  role: Role
  maxUses: number
}

export interface AcceptInviteResponse extends SessionResponse {
  workspace: WorkspaceSummary
}

export interface NotificationsResponse {
  notifications: Notification[]
  unreadCount: number
}

export interface EventsResponse {
  events: Array<{ seq: number; event: LoupeEvent }>
  epoch: string
  lastSeq: number
  firstSeq: number
  /** The log no longer reaches back to `after` (retention): reload instead of trusting it. */
  gap: boolean
}

export interface MediaUploadResponse {
  media: {
    hash: string
    mime: string
    kind: MediaKind
    bytes: number
    url: string
    /** Read from the file's own structure when it states them. */
    width?: number
    height?: number
    durationMs?: number
    /** A video's frames per second, read from its own structure (MP4 stts, WebM timing). */
    fps?: number
  }
}

export interface LocksResponse {
  locks: Lock[]
}

// History, since-last-visit, search (docs/product.md, "History" and "Search").

const entityTypes = Object.keys(EntityCollection) as [EntityType, ...EntityType[]]

export const nameVersionRequest = z.object({ name: z.string().trim().min(1).max(200) })
/** Without an entity the whole board is restored; with one, only that entity. */
export const restoreVersionRequest = z
  .object({
    entityType: z.enum(entityTypes).optional(),
    entityId: z.string().min(1).max(128).optional(),
  })
  .refine((body) => (body.entityType === undefined) === (body.entityId === undefined), {
    error: 'entityType and entityId go together',
  })
export const searchQuery = z.object({
  q: z.string().trim().min(1, { error: 'q is empty' }).max(200),
  workspace: z.string().regex(ID_PATTERN, 'a workspace id'),
  board: z.string().regex(ID_PATTERN, 'a board id').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

export type NameVersionRequest = z.input<typeof nameVersionRequest>
export type RestoreVersionRequest = z.input<typeof restoreVersionRequest>

export interface BoardVersion {
  id: string
  /** Named versions only. */
  name?: string
  createdAt: number
  /** Who named it (user id); automatic checkpoints have none. */
  createdBy?: string
  /** An automatic checkpoint (thinned with age) rather than a named version (kept). */
  auto: boolean
}

export interface VersionsResponse {
  versions: BoardVersion[]
}

export interface VersionResponse {
  version: BoardVersion
}

export interface RestoreResponse {
  restored: {
    versionId: string
    entityType: EntityType | null
    entityId: string | null
    /** False when the board already matched the version: nothing was written. */
    changed: boolean
  }
}

export interface EntityRefJson {
  entityType: EntityType
  id: string
}

export interface SinceLastVisitResponse {
  /** Entities created by others since the caller's last visit ended. */
  added: EntityRefJson[]
  /** Entities others changed since then (their fields, text, comments, reactions). */
  changed: EntityRefJson[]
  /** When the last visit ended; null before the first one (then nothing is listed). */
  since: number | null
}

export interface SearchResult {
  boardId: string
  /** `board` for a board's title; otherwise the entity the text belongs to. */
  entityType: EntityType | 'board'
  entityId: string
  /** Which text matched: `title`, `description`, `name`, `comment:<commentId>`, ... */
  field: string
  /** Plain text around the match (no markup). */
  snippet: string
  /** The matched spans of `snippet`, as [start, end) UTF-16 offsets. */
  highlights: Array<[number, number]>
}

export interface SearchResponse {
  results: SearchResult[]
}
