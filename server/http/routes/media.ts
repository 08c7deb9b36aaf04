/**
 * `POST /api/media` (upload; size and type checked; content-addressed) and
 * `GET /api/media/<hash>` (with byte ranges, so video can seek). Browsers load media with
 * plain `<img>` and `<video>` elements, which cannot send headers, so the GET also takes the
 * access token as `?token=`.
 */
import { open, type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import type { Logger } from 'pino'
import type { Auth } from '../../auth/auth.ts'
import type { DirectoryRepo, User } from '../../storage/directory-repo.ts'
import type { MediaStore } from '../../media/media-store.ts'
import type { RoomManager } from '../../realtime/rooms.ts'
import { mediaHashes } from '../../../shared/schema/board.ts'
import { closeAfterAnswer } from '../../net/http-limits.ts'
import { requireRole, type AppEnv } from '../context.ts'
import { ErrorCode } from '../../../shared/protocol/errors.ts'
import { badRequest, LoupeError, notFound, tooLarge, unauthorized } from '../../errors.ts'

const HASH = /^[0-9a-f]{64}$/

export function mediaUploadRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  media: MediaStore
  maxBytes: number
}) {
  const app = new Hono<AppEnv>()
  app.post('/media', async (c) => {
    const boardId = c.req.query('board')
    const board = boardId ? await deps.directory.board(boardId) : undefined
    if (!board || board.archivedAt !== null)
      throw badRequest('board must name a board you can edit (?board=<id>)')
    await requireRole(deps.auth, deps.directory, c.var.user, board.workspaceId, 'editor')
    // A refused upload is not read further: the answer closes the connection.
    const refused = (error: unknown) => {
      if (error instanceof LoupeError && error.code === ErrorCode.tooLarge) closeAfterAnswer(c)
      return error
    }
    const length = Number(c.req.header('content-length') ?? 0)
    if (length > deps.maxBytes)
      throw refused(tooLarge(`uploads may be at most ${deps.maxBytes} bytes`))
    const body = c.req.raw.body
    if (!body) throw badRequest('the upload is empty')
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? ''
    const owner = { userId: c.var.user.id, workspaceId: board.workspaceId }
    const media = await deps.media.save(body, type, deps.maxBytes, owner).catch((error) => {
      throw refused(error)
    })
    return c.json({ media: { ...media, url: `/api/media/${media.hash}` } }, 201)
  })
  return app
}

export function mediaDownloadRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  media: MediaStore
  rooms: RoomManager
  log: Logger
}) {
  const app = new Hono()

  /**
   * A guest sees a file only if their own board shows it (an item or one of its versions):
   * other boards of the same workspace are closed to them, whatever hashes they learn.
   */
  const guestSees = async (user: User, hash: string, workspaces: string[]) => {
    const guest = await deps.auth.guestOf(user)
    const board = guest && (await deps.directory.board(guest.boardId))
    if (!board || board.archivedAt !== null || !(await deps.auth.roleOnBoard(user, board)))
      return false
    if (!workspaces.includes(board.workspaceId)) return false
    return deps.rooms.read(board.id, (doc) => mediaHashes(doc).has(hash))
  }

  app.get('/media/:hash', async (c) => {
    const user =
      (await deps.auth.identify(c)) ?? (await deps.auth.identifyToken(c.req.query('token')))
    if (!user) throw unauthorized('sign in first (missing or invalid token)')
    const hash = c.req.param('hash')
    const info = HASH.test(hash) ? await deps.media.get(hash) : undefined
    const workspaces = info ? await deps.media.workspacesOf(hash) : []
    const visible =
      !!info &&
      ((await someAsync(workspaces, async (ws) => !!(await deps.auth.roleIn(user, ws)))) ||
        (await guestSees(user, hash, workspaces)))
    if (!info || !visible) throw notFound('no such media')
    return serveFile(c, deps.media.path(hash), info.mime, hash, deps.log)
  })
  return app
}

/** Whether `test` holds for any item, asked in order and no further than the first yes. */
async function someAsync<T>(items: readonly T[], test: (item: T) => Promise<boolean>) {
  for (const item of items) if (await test(item)) return true
  return false
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
}

/**
 * The one byte range a `Range` header asks for, per RFC 9110 §14.1.2: `bytes=a-b`, `bytes=a-`
 * or `bytes=-n`. Anything else — another unit, several ranges, `b < a`, bad syntax — is
 * ignored (the whole file is sent). `unsatisfiable` when it starts past the end (or is `-0`).
 */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const range = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '')
  if (!range || (!range[1] && !range[2])) return undefined
  if (!range[1]) {
    const suffix = Number(range[2])
    return suffix === 0 || size === 0
      ? 'unsatisfiable'
      : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(range[1])
  if (range[2] && Number(range[2]) < start) return undefined
  if (start >= size) return 'unsatisfiable'
  return { start, end: range[2] ? Math.min(Number(range[2]), size - 1) : size - 1 }
}

/**
 * Sends a file, or one byte range of it (`Range: bytes=a-b`, as video players ask). Media is
 * user content served from the app's own origin, so it goes out with `nosniff`, a CSP that
 * allows nothing (and sandboxes it if opened as a page), and an inline disposition with a
 * safe name: a browser shows it as the image or video it is, never as a page of the app.
 */
async function serveFile(c: Context, path: string, mime: string, hash: string, log: Logger) {
  const headers: Record<string, string> = {
    'content-type': mime,
    'accept-ranges': 'bytes',
    etag: `"${hash}"`,
    // Content-addressed: the bytes behind a URL never change. Private: it needs a token.
    'cache-control': 'private, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': `inline; filename="${hash}.${EXTENSIONS[mime] ?? 'bin'}"`,
  }
  if (c.req.header('if-none-match') === `"${hash}"`) return c.body(null, 304, headers)
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    log.error({ hash, path }, 'media file missing (restore it from a backup)')
    throw notFound('the file of this media is missing on the server')
  }
  let size: number
  let range: ReturnType<typeof byteRange>
  try {
    size = (await file.stat()).size
    range = byteRange(c.req.header('range'), size)
  } catch (error) {
    await file.close()
    throw error
  }
  if (range === 'unsatisfiable' || c.req.method === 'HEAD') await file.close()
  if (range === 'unsatisfiable')
    return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` })
  const { start, end } = range ?? { start: 0, end: size - 1 }
  const status = range ? 206 : 200
  const answer = {
    ...headers,
    'content-length': String(end - start + 1),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  }
  if (c.req.method === 'HEAD') return c.body(null, status, answer)
  // The stream closes the file when it ends, fails, or the client goes away.
  const stream = Readable.toWeb(file.createReadStream({ start, end })) as ReadableStream
  return c.body(stream, status, answer)
}
