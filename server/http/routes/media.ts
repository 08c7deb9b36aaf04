/**
 * `POST /api/media` (upload; size and type checked; content-addressed) and
 * `GET /api/media/<hash>` (with byte ranges, so video can seek). Browsers load media with
 * plain `<img>` and `<video>` elements, which cannot send headers, so the GET also takes the
 * access token as `?token=`.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import type { Auth } from '../../auth/auth.ts'
import type { Directory } from '../../db/directory.ts'
import type { MediaStore } from '../../media/media-store.ts'
import { requireRole, type AppEnv } from '../context.ts'
import { badRequest, notFound, tooLarge, unauthorized } from '../../errors.ts'

const HASH = /^[0-9a-f]{64}$/

export function mediaUploadRoutes(deps: {
  auth: Auth
  directory: Directory
  media: MediaStore
  maxBytes: number
}) {
  const app = new Hono<AppEnv>()
  app.post('/media', async (c) => {
    const boardId = c.req.query('board')
    const board = boardId ? deps.directory.board(boardId) : undefined
    if (!board || board.archivedAt !== null)
      throw badRequest('board must name a board you can edit (?board=<id>)')
    requireRole(deps.auth, deps.directory, c.var.user, board.workspaceId, 'editor')
    const length = Number(c.req.header('content-length') ?? 0)
    if (length > deps.maxBytes) throw tooLarge(`uploads may be at most ${deps.maxBytes} bytes`)
    const body = c.req.raw.body
    if (!body) throw badRequest('the upload is empty')
    const media = await deps.media.save(
      body,
      (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '',
      deps.maxBytes,
      { userId: c.var.user.id, workspaceId: board.workspaceId },
    )
    return c.json({ media: { ...media, url: `/api/media/${media.hash}` } }, 201)
  })
  return app
}

export function mediaDownloadRoutes(deps: { auth: Auth; directory: Directory; media: MediaStore }) {
  const app = new Hono()
  app.get('/media/:hash', async (c) => {
    const user =
      (await deps.auth.identify(c)) ?? (await deps.auth.identifyToken(c.req.query('token')))
    if (!user) throw unauthorized('sign in first (missing or invalid token)')
    const hash = c.req.param('hash')
    const info = HASH.test(hash) ? deps.media.get(hash) : undefined
    const visible = info && deps.media.workspacesOf(hash).some((ws) => deps.auth.roleIn(user, ws))
    if (!info || !visible) throw notFound('no such media')
    return serveFile(c, deps.media.path(hash), info.mime, info.bytes, hash)
  })
  return app
}

/** Sends a file, or one byte range of it (`Range: bytes=a-b`, as video players ask). */
function serveFile(c: Context, path: string, mime: string, size: number, etag: string) {
  const headers: Record<string, string> = {
    'content-type': mime,
    'accept-ranges': 'bytes',
    etag: `"${etag}"`,
    // Content-addressed: the bytes behind a URL never change.
    'cache-control': 'private, max-age=31536000, immutable',
  }
  if (c.req.header('if-none-match') === `"${etag}"`) return c.body(null, 304, headers)
  const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header('range') ?? '')
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]))
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    if (start > end || start >= size)
      return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` })
    const stream = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream
    return c.body(stream, 206, {
      ...headers,
      'content-range': `bytes ${start}-${end}/${size}`,
      'content-length': String(end - start + 1),
    })
  }
  const stream = Readable.toWeb(createReadStream(path)) as ReadableStream
  return c.body(stream, 200, { ...headers, 'content-length': String(size) })
}
