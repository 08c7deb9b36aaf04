/**
 * The one module that calls fetch. It keeps the access token in memory, refreshes it from the
 * HttpOnly cookie before it expires (and once on a 401), and turns error bodies into ApiError.
 */
import type {
  AcceptInviteRequest,
  AcceptInviteResponse,
  BoardPerson,
  BoardSummary,
  CreateLinkRequest,
  CreateLinkResponse,
  JoinLinkRequest,
  JoinLinkResponse,
  ShareLinkSummary,
  CreateBoardRequest,
  EventsResponse,
  InviteRequest,
  InviteResponse,
  LocksResponse,
  MediaUploadResponse,
  MeResponse,
  Member,
  NotificationsResponse,
  SessionResponse,
  WorkspaceWithRole,
  RestoreResponse,
  RestoreVersionRequest,
  SearchResponse,
  SinceLastVisitResponse,
  VersionResponse,
  VersionsResponse,
} from '../../../shared/api.ts'
import type { ErrorBody } from '../../../shared/protocol/errors.ts'
import type { LoupeEvent } from '../../../shared/protocol/events.ts'
import type { Notification } from '../../../shared/protocol/notifications.ts'
import type { PublicUser } from '../../../shared/protocol/presence.ts'
import type { Role } from '../../../shared/roles.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: ErrorBody | null,
  ) {
    super(message)
  }
}

type Session = SessionResponse

let token: string | null = null
let expiresAt = 0
const listeners = new Set<(token: string | null) => void>()

export function currentToken(): string | null {
  return token
}

export function onTokenChange(listener: (token: string | null) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function setSession(session: Session | null): void {
  token = session?.accessToken ?? null
  expiresAt = session?.expiresAt ?? 0
  for (const listener of listeners) listener(token)
}

let refreshing: Promise<boolean> | null = null

/** Swaps the refresh cookie for a new access token; false when there is no session. */
export function refresh(): Promise<boolean> {
  refreshing ??= fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    .then(async (response) => {
      if (!response.ok) return false
      setSession((await response.json()) as Session)
      return true
    })
    .catch(() => false)
    .finally(() => (refreshing = null))
  return refreshing
}

// Back online after starting offline: there may be no token yet.
window.addEventListener('online', () => void refresh())

/** Refreshes a minute before the access token runs out. */
setInterval(() => {
  if (token && expiresAt - Date.now() < 60_000) void refresh()
}, 15_000)

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  retried = false,
): Promise<T> {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined && !(body instanceof Blob)) headers['content-type'] = 'application/json'
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
  })
  if (response.status === 401 && !retried && path !== '/api/auth/refresh' && (await refresh())) {
    return request(method, path, body, true)
  }
  // Binary answers (a board's or a version's state) are read as bytes.
  if (response.ok && response.headers.get('content-type')?.includes('octet-stream'))
    return new Uint8Array(await response.arrayBuffer()) as T
  const data = response.headers.get('content-type')?.includes('json') ? await response.json() : null
  if (!response.ok) {
    const error = (data as ErrorBody | null)?.error
    throw new ApiError(
      response.status,
      error?.code ?? 'error',
      error?.message ?? response.statusText,
      data,
    )
  }
  return data as T
}

export const api = {
  me: () => request<MeResponse>('GET', '/api/me'),
  setupNeeded: async () => (await request<{ needed: boolean }>('GET', '/api/setup')).needed,
  setup: async (code: string, name: string, password: string) =>
    setSession(await request<Session>('POST', '/api/setup', { code, name, password })),
  login: async (name: string, password: string) =>
    setSession(await request<Session>('POST', '/api/auth/login', { name, password })),
  logout: async () => {
    await request('POST', '/api/auth/logout').catch(() => {})
    setSession(null)
  },
  acceptInvite: async (code: string, account?: AcceptInviteRequest) =>
    setSession(await request<AcceptInviteResponse>('POST', `/api/invites/${code}/accept`, account)),
  capabilities: () => request<{ auth: 'token' | 'off' }>('GET', '/api/capabilities'),
  createWorkspace: (name: string) =>
    request<{ workspace: WorkspaceWithRole }>('POST', '/api/workspaces', { name }),
  boards: (workspaceId: string) =>
    request<{ boards: BoardSummary[] }>('GET', `/api/workspaces/${workspaceId}/boards`),
  createBoard: (workspaceId: string, board: CreateBoardRequest) =>
    request<{ board: BoardSummary }>('POST', `/api/workspaces/${workspaceId}/boards`, board),
  renameBoard: (id: string, title: string) =>
    request<{ board: BoardSummary }>('PATCH', `/api/boards/${id}`, { title }),
  archiveBoard: (id: string) => request<{ board: BoardSummary }>('DELETE', `/api/boards/${id}`),
  board: (id: string) =>
    request<{ board: BoardSummary & { role: Role } }>('GET', `/api/boards/${id}`),
  members: (workspaceId: string) =>
    request<{ members: Member[] }>('GET', `/api/workspaces/${workspaceId}/members`),
  setRole: (workspaceId: string, userId: string, role: Role) =>
    request<{ member: Member }>('PATCH', `/api/workspaces/${workspaceId}/members/${userId}`, {
      role,
    }),
  removeMember: (workspaceId: string, userId: string) =>
    request('DELETE', `/api/workspaces/${workspaceId}/members/${userId}`),
  invite: (workspaceId: string, invite: InviteRequest) =>
    request<InviteResponse>('POST', `/api/workspaces/${workspaceId}/invites`, invite),
  notifications: (unread: boolean) =>
    request<NotificationsResponse>('GET', `/api/notifications${unread ? '?unread=1' : ''}`),
  markRead: (ids: string[]) =>
    request<{ unreadCount: number }>('POST', '/api/notifications/read', { ids }),
  events: (stream: string, after: number) =>
    request<
      Omit<EventsResponse, 'events'> & { events: Array<{ seq: number; event: ActivityEvent }> }
    >('GET', `/api/events?stream=${encodeURIComponent(stream)}&after=${after}&limit=200`),
  /** Everyone whose name may show on a board: members and the guests who joined by link. */
  boardPeople: (boardId: string) =>
    request<{ people: BoardPerson[] }>('GET', `/api/boards/${boardId}/people`),
  shareLinks: (boardId: string) =>
    request<{ links: ShareLinkSummary[] }>('GET', `/api/boards/${boardId}/links`),
  createShareLink: (boardId: string, link: CreateLinkRequest) =>
    request<CreateLinkResponse>('POST', `/api/boards/${boardId}/links`, link),
  revokeShareLink: (boardId: string, linkId: string) =>
    request<{ link: ShareLinkSummary }>('DELETE', `/api/boards/${boardId}/links/${linkId}`),
  /** Joins a board through its share link, as a guest; answers the board to open. */
  joinShareLink: async (token: string, who: JoinLinkRequest) => {
    const joined = await request<JoinLinkResponse>('POST', `/api/links/${token}/join`, who)
    setSession(joined)
    return { boardId: joined.boardId, role: joined.role }
  },
  /** Owners undo deleting a board (a delete archives it). */
  unarchiveBoard: (id: string) =>
    request<{ board: BoardSummary }>('POST', `/api/boards/${id}/unarchive`),
  versions: (boardId: string) =>
    request<VersionsResponse>('GET', `/api/boards/${boardId}/versions`),
  nameVersion: (boardId: string, name: string) =>
    request<VersionResponse>('POST', `/api/boards/${boardId}/versions`, { name }),
  /** A version's whole state, one Yjs update. */
  versionState: (boardId: string, versionId: string) =>
    request<Uint8Array>('GET', `/api/boards/${boardId}/versions/${versionId}/export`),
  restoreVersion: (boardId: string, versionId: string, target: RestoreVersionRequest = {}) =>
    request<RestoreResponse>(
      'POST',
      `/api/boards/${boardId}/versions/${versionId}/restore`,
      target,
    ),
  sinceLastVisit: (boardId: string) =>
    request<SinceLastVisitResponse>('GET', `/api/boards/${boardId}/since-last-visit`),
  search: (q: string, workspace: string, board?: string) =>
    request<SearchResponse>(
      'GET',
      `/api/search?${new URLSearchParams({ q, workspace, ...(board ? { board } : {}) })}`,
    ),
  locks: (boardId: string) =>
    request<LocksResponse>('GET', `/api/locks?board=${encodeURIComponent(boardId)}`),
  upload: (boardId: string, file: File, onProgress: (fraction: number) => void) =>
    uploadWithProgress(boardId, file, onProgress),
}

/** XMLHttpRequest, because fetch reports no upload progress. */
function uploadWithProgress(boardId: string, file: File, onProgress: (fraction: number) => void) {
  return new Promise<MediaUploadResponse>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/media?board=${encodeURIComponent(boardId)}`)
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.setRequestHeader('content-type', file.type)
    xhr.upload.onprogress = (event) =>
      event.lengthComputable && onProgress(event.loaded / event.total)
    xhr.onload = () => {
      const data = JSON.parse(xhr.responseText || 'null')
      if (xhr.status === 201) resolve(data)
      else
        reject(
          new ApiError(
            xhr.status,
            data?.error?.code ?? 'error',
            data?.error?.message ?? 'upload failed',
            data,
          ),
        )
    }
    xhr.onerror = () => reject(new ApiError(0, 'offline', 'upload failed: no connection', null))
    xhr.send(file)
  })
}

/** A media URL an <img> or <video> can load (they cannot send headers). */
export function mediaUrl(url: string): string {
  return token ? `${url}?token=${encodeURIComponent(token)}` : url
}

export type {
  BoardPerson,
  Member,
  PublicUser as User,
  Role,
  ShareLinkSummary,
  WorkspaceWithRole as Workspace,
}
export type AppNotification = Notification
/** A stored event, read loosely (the feed shows every type, known or new). */
export type ActivityEvent = Omit<LoupeEvent, 'type' | 'data'> & {
  type: string
  data: Record<string, unknown>
}
