/**
 * What each HTTP route is for, with the zod schema its handler validates. `/api/capabilities`
 * and `/api/openapi.json` join this with the app's own routing table, and a test fails if a
 * route has no entry here or an entry has no route, so the two cannot drift.
 */
import { z } from 'zod'
import {
  acceptInviteRequest,
  acquireLockRequest,
  createBoardRequest,
  createLinkRequest,
  createWorkspaceRequest,
  inviteRequest,
  joinLinkRequest,
  lockKeyRequest,
  loginRequest,
  markReadRequest,
  patchBoardRequest,
  patchMemberRequest,
  renewLockRequest,
  setupRequest,
} from '../../shared/api.ts'
import { auditQuery, eventsQuery, notificationsQuery } from './routes/activity.ts'
import { nameVersionRequest, restoreVersionRequest, searchQuery } from '../../shared/api.ts'

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  path: string
  description: string
  /** Whether a Bearer token is needed (when auth is on). */
  auth: boolean
  body?: z.ZodType
  query?: z.ZodType
  /** The body is binary (a Yjs update), not JSON. */
  binaryBody?: boolean
}

const doc = (
  method: RouteDoc['method'],
  path: string,
  description: string,
  extra: Partial<Omit<RouteDoc, 'method' | 'path' | 'description'>> = {},
): RouteDoc => ({ method, path, description, auth: true, ...extra })

export const routeDocs: readonly RouteDoc[] = [
  doc('GET', '/healthz', 'Liveness: 200 while the event loop answers.', { auth: false }),
  doc('GET', '/readyz', 'Readiness: 200, or 503 with the problems.', { auth: false }),
  doc('GET', '/metrics', 'Prometheus metrics.', { auth: false }),
  doc(
    'GET',
    '/api/capabilities',
    'What this server speaks: sockets, endpoints, streams, event types, limits.',
    { auth: false },
  ),
  doc('GET', '/api/openapi.json', 'This API as an OpenAPI 3.1 document.', { auth: false }),
  doc('GET', '/api/setup', 'Whether the one-time owner setup is still open.', { auth: false }),
  doc('POST', '/api/setup', 'Create the owner with the one-time setup code (only once).', {
    auth: false,
    body: setupRequest,
  }),
  doc('POST', '/api/auth/login', 'Sign in: an access token, and a refresh cookie.', {
    auth: false,
    body: loginRequest,
  }),
  doc('POST', '/api/auth/refresh', 'Rotate the refresh cookie for a new access token.', {
    auth: false,
  }),
  doc('POST', '/api/auth/logout', 'Revoke the refresh cookie.', { auth: false }),
  doc(
    'POST',
    '/api/invites/:code/accept',
    'Accept an invite: a new account, or the signed-in user.',
    { auth: false, body: acceptInviteRequest },
  ),
  doc(
    'POST',
    '/api/links/:token/join',
    'Join a board by share link as a guest (reaching that board only): a session.',
    { auth: false, body: joinLinkRequest },
  ),
  doc('GET', '/api/me', 'The signed-in user and their workspaces with role (a guest: its board).'),
  doc('GET', '/api/workspaces', 'Workspaces of the signed-in user.'),
  doc('POST', '/api/workspaces', 'Create a workspace; the creator is its owner.', {
    body: createWorkspaceRequest,
  }),
  doc('GET', '/api/workspaces/:ws/members', 'Members of a workspace with their roles.'),
  doc('PATCH', '/api/workspaces/:ws/members/:userId', "Change a member's role (owners).", {
    body: patchMemberRequest,
  }),
  doc('DELETE', '/api/workspaces/:ws/members/:userId', 'Remove a member (owners), or leave.'),
  doc('POST', '/api/workspaces/:ws/invites', 'Make an invite link (owners).', {
    body: inviteRequest,
  }),
  doc('GET', '/api/workspaces/:ws/boards', 'Boards of a workspace.'),
  doc(
    'POST',
    '/api/workspaces/:ws/boards',
    'Create a board (optionally with a client-chosen id).',
    { body: createBoardRequest },
  ),
  doc(
    'POST',
    '/api/workspaces/:ws/boards/import',
    'Import a board from one Yjs update (?title=&id=).',
    { binaryBody: true },
  ),
  doc('GET', '/api/boards/:id', 'A board, with the caller’s role.'),
  doc('PATCH', '/api/boards/:id', 'Rename a board.', { body: patchBoardRequest }),
  doc('DELETE', '/api/boards/:id', 'Archive a board (owners).'),
  doc('POST', '/api/boards/:id/unarchive', 'Bring an archived board back (owners; undo).'),
  doc('GET', '/api/boards/:id/export', 'The board as one Yjs update.'),
  doc('GET', '/api/boards/:id/people', "The board's members and guests, for names and roles."),
  doc('POST', '/api/boards/:id/links', 'Make a share link to the board (owners).', {
    body: createLinkRequest,
  }),
  doc('GET', '/api/boards/:id/links', "The board's share links, without tokens (owners)."),
  doc(
    'DELETE',
    '/api/boards/:id/links/:linkId',
    'Revoke a share link; its guests are disconnected at once (owners).',
  ),
  doc('GET', '/api/presence/:boardId', 'Who is on a board, with status, view and editing.'),
  doc('GET', '/api/presence/:boardId/:entityType/:entityId', 'Who views and who edits one item.'),
  doc('GET', '/api/events', 'Read a stream from the durable event log.', { query: eventsQuery }),
  doc(
    'GET',
    '/api/notifications',
    'Notifications of the signed-in user (?unread=1), with the unread count.',
    { query: notificationsQuery },
  ),
  doc('POST', '/api/notifications/read', 'Mark notifications read.', { body: markReadRequest }),
  doc('GET', '/api/audit', 'The audit log of a workspace (owners).', { query: auditQuery }),
  doc(
    'POST',
    '/api/locks/acquire',
    'Take an entity lock, or join its queue with wait (200 lock, 202 queued, 409 locked).',
    { body: acquireLockRequest },
  ),
  doc('POST', '/api/locks/release', 'Release a lock you hold (409 not_holder otherwise).', {
    body: lockKeyRequest,
  }),
  doc('POST', '/api/locks/renew', 'Extend a lock you hold.', { body: renewLockRequest }),
  doc('POST', '/api/locks/cancel', 'Leave the wait queue of a lock.', { body: lockKeyRequest }),
  doc('POST', '/api/locks/force-release', 'Force a lock free (owners); its holder is told.', {
    body: lockKeyRequest,
  }),
  doc('GET', '/api/locks', 'Locks held on a board (?board=<id>).'),
  doc(
    'POST',
    '/api/media',
    'Upload an image or video into a board (?board=<id>); content-addressed.',
    { binaryBody: true },
  ),
  doc(
    'GET',
    '/api/media/:hash',
    'An uploaded file (byte ranges supported; the token may come as ?token=).',
  ),
  doc(
    'GET',
    '/api/boards/:id/versions',
    'Versions of a board: automatic checkpoints and named ones.',
  ),
  doc('POST', '/api/boards/:id/versions', 'Name the current state of a board (editors).', {
    body: nameVersionRequest,
  }),
  doc(
    'GET',
    '/api/boards/:id/versions/:versionId/export',
    'A version of the board as one Yjs update (v1).',
  ),
  doc(
    'POST',
    '/api/boards/:id/versions/:versionId/restore',
    'Restore the whole board, or one entity, from a version, as a new change (editors).',
    { body: restoreVersionRequest },
  ),
  doc(
    'GET',
    '/api/boards/:id/since-last-visit',
    "What others added and changed since the caller's last visit to the board ended.",
  ),
  doc('GET', '/api/search', 'Search the committed text of the boards the caller can read.', {
    query: searchQuery,
  }),
  doc(
    'GET',
    '/api/boards/:id/report',
    'The board as one self-contained HTML report (the token may come as ?token=).',
  ),
  doc(
    'GET',
    '/api/boards/:id/tasks.csv',
    "The board's tasks as CSV, one a row (the token may come as ?token=).",
  ),
]

/** `/api/x/:id` → `/api/x/{id}` (OpenAPI path templates). */
const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}')

export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routeDocs) {
    const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    const query = route.query ? z.toJSONSchema(route.query, { io: 'input' }) : null
    const queryParams = query
      ? Object.entries((query.properties ?? {}) as Record<string, object>).map(
          ([name, schema]) => ({
            name,
            in: 'query',
            required: ((query.required as string[] | undefined) ?? []).includes(name),
            schema,
          }),
        )
      : []
    const operation: Record<string, unknown> = {
      summary: route.description,
      parameters: [...params, ...queryParams],
      responses: { default: { description: 'JSON; errors are {error:{code, message}}' } },
      security: route.auth ? [{ bearer: [] }] : [],
    }
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input' }) } },
      }
    } else if (route.binaryBody) {
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      }
    }
    ;(paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Loupe', version },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    paths,
  }
}
