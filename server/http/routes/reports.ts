/**
 * Reports (docs/product.md, "Export"): `GET /api/boards/<id>/report` (one self-contained HTML
 * file) and `GET /api/boards/<id>/tasks.csv`, both of the board's committed state. Browser
 * downloads cannot send headers, so, like `GET /api/media/<hash>`, they also take the access
 * token as `?token=`; the answer is an attachment with a filename.
 */
import { createHash } from 'node:crypto'
import { Hono, type Context } from 'hono'
import * as Y from 'yjs'
import type { Auth } from '../../auth/auth.ts'
import type { AuditRepo } from '../../storage/audit-repo.ts'
import type { DirectoryRepo, User } from '../../storage/directory-repo.ts'
import { unauthorized } from '../../errors.ts'
import { readCommitted, type CommittedSource } from '../../history/committed.ts'
import type { MediaStore } from '../../media/media-store.ts'
import { tasksCsv } from '../../report/csv.ts'
import { renderReport } from '../../report/html-report.ts'
import { pictures } from '../../report/images.ts'
import { readReport } from '../../report/report-data.ts'
import type { RoomManager } from '../../realtime/rooms.ts'
import type { DocStore } from '../../storage/doc-store.ts'
import { requireBoard } from '../context.ts'
import { idParam } from '../errors.ts'

export function reportRoutes(deps: {
  auth: Auth
  directory: DirectoryRepo
  media: MediaStore
  rooms: RoomManager
  store: DocStore
  audit: AuditRepo
}) {
  const { auth, directory } = deps
  const source: CommittedSource = { rooms: deps.rooms, store: deps.store }
  const app = new Hono()

  const readableBoard = async (c: Context) => {
    const user = (await auth.identify(c)) ?? (await auth.identifyToken(c.req.query('token')))
    if (!user) throw unauthorized('sign in first (missing or invalid token)')
    const { board } = await requireBoard(auth, directory, user, idParam(c, 'id'), 'viewer')
    return { user, board }
  }
  /**
   * Renders with people's names: a first pass learns whom the output names, the directory is
   * asked once for each, and the second pass writes them.
   */
  const withNames = async <T>(render: (nameOf: (userId: string) => string) => T): Promise<T> => {
    const wanted = new Set<string>()
    render((userId) => {
      wanted.add(userId)
      return ''
    })
    const known = new Map<string, string>()
    for (const userId of wanted)
      known.set(userId, (await directory.user(userId))?.name ?? (userId || 'someone'))
    return render((userId) => known.get(userId) ?? (userId || 'someone'))
  }
  const record = (user: User, board: { id: string; workspaceId: string }, format: string) =>
    deps.audit.record({
      action: 'board.exported',
      actor: user,
      workspaceId: board.workspaceId,
      target: board.id,
      data: { format },
    })

  app.get('/boards/:id/report', async (c) => {
    const { user, board } = await readableBoard(c)
    const { data, vector } = await readCommitted(source, board.id, (doc) => ({
      data: readReport(doc),
      vector: Y.encodeStateVector(doc),
    }))
    const generatedAt = Date.now()
    const embedded = await pictures(data.media, deps.media, board.workspaceId)
    const html = await withNames((nameOf) =>
      renderReport({
        data,
        boardId: board.id,
        generatedAt,
        stateId: createHash('sha256').update(vector).digest('hex').slice(0, 12),
        nameOf,
        pictures: embedded,
      }),
    )
    await record(user, board, 'report')
    return c.body(html, 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-disposition': `attachment; filename="${fileName(data.title, board.id)}-report.html"`,
      // Opened from the server instead of saved, it still runs nothing and loads nothing.
      'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    })
  })

  app.get('/boards/:id/tasks.csv', async (c) => {
    const { user, board } = await readableBoard(c)
    const data = await readCommitted(source, board.id, readReport)
    await record(user, board, 'tasks.csv')
    const csv = await withNames((nameOf) => tasksCsv(data.tasks, nameOf))
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${fileName(data.title, board.id)}-tasks.csv"`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    })
  })

  return app
}

/** A filename from the board's title: letters, digits, `-`, `_` and `.` only. */
function fileName(title: string, fallback: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60)
  return slug || fallback
}
