/**
 * Workspaces and boards (docs/product.md, "HTTP API"). A board's row holds its listing data; its
 * content is the Y.Doc, seeded here once with `meta` so no two clients ever seed it.
 */
import { Hono, type Context } from 'hono'
import * as Y from 'yjs'
import {
  boardTitleSchema,
  createBoardRequest,
  createWorkspaceRequest,
  patchBoardRequest,
  type MeResponse,
} from '../../../shared/api.ts'
import { newId, ID_PATTERN } from '../../../shared/ids.ts'
import { board as boardDoc, initMeta } from '../../../shared/schema/board.ts'
import type { Auth } from '../../auth/auth.ts'
import type { EventBus } from '../../events/bus.ts'
import type { RoomManager } from '../../realtime/rooms.ts'
import type { AuditRepo } from '../../storage/audit-repo.ts'
import type { Board, DirectoryRepo, User } from '../../storage/directory-repo.ts'
import type { Stores } from '../../storage/stores.ts'
import { foldStored, type DocStore } from '../../storage/doc-store.ts'
import { refuseGuests, requireBoard, requireRole, type AppEnv } from '../context.ts'
import { badRequest, conflict, notFound, tooLarge } from '../../errors.ts'
import { closeAfterAnswer } from '../../net/http-limits.ts'
import { idParam, jsonBody } from '../errors.ts'

export interface BoardRouteDeps {
  auth: Auth
  directory: DirectoryRepo
  stores: Stores
  store: DocStore
  rooms: RoomManager
  bus: EventBus
  audit: AuditRepo
  maxDocBytes: number
}

export function boardRoutes(deps: BoardRouteDeps) {
  const { auth, directory, store, rooms } = deps
  const app = new Hono<AppEnv>()

  /** The board, if the caller may see it (a guest: only theirs), with their role; 404 otherwise. */
  const boardFor = (user: User, id: string, minimum: 'viewer' | 'editor' | 'owner') =>
    requireBoard(auth, directory, user, id, minimum)

  const createWithState = async (
    user: User,
    workspaceId: string,
    id: string,
    boardTitle: string,
    doc: Y.Doc,
  ) => {
    const now = Date.now()
    const { meta } = boardDoc(doc)
    if (meta.get('createdAt') === undefined)
      initMeta(doc, { title: boardTitle, createdAt: now, createdBy: user.id })
    else meta.set('title', boardTitle)
    const board = await deps.stores.transaction(async (tx) => {
      if (await tx.directory.board(id)) throw conflict(`board id ${id} is taken`)
      return tx.directory.createBoard({
        id,
        workspaceId,
        title: boardTitle,
        createdBy: user.id,
        createdAt: now,
      })
    })
    await store.append([{ boardId: id, data: Y.encodeStateAsUpdate(doc), userId: user.id }])
    await deps.bus.emit('board.created', {
      actor: user,
      workspaceId,
      boardId: id,
      data: { boardId: id, title: boardTitle },
    })
    await deps.audit.record({
      action: 'board.created',
      actor: user,
      workspaceId,
      target: id,
      data: { title: boardTitle },
    })
    return board
  }

  app.get('/me', async (c) => {
    const user = c.var.user
    const guest = await auth.guestOf(user)
    const answer: MeResponse = { user, workspaces: await listWorkspaces(auth, directory, user) }
    if (guest)
      answer.guest = { boardId: guest.boardId, role: guest.role, expiresAt: guest.expiresAt }
    return c.json(answer)
  })

  app.get('/workspaces', async (c) =>
    c.json({ workspaces: await listWorkspaces(auth, directory, c.var.user) }),
  )

  app.post('/workspaces', async (c) => {
    await refuseGuests(auth, c.var.user, 'create workspaces')
    const { name } = await jsonBody(c, createWorkspaceRequest)
    const workspace = await directory.createWorkspace({
      id: newId(),
      name,
      createdBy: c.var.user.id,
      createdAt: Date.now(),
    })
    return c.json({ workspace: { ...workspace, role: 'owner' } }, 201)
  })

  app.get('/workspaces/:ws/boards', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'viewer')
    return c.json({ boards: await directory.boardsOf(workspaceId) })
  })

  app.post('/workspaces/:ws/boards', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'editor')
    const body = await jsonBody(c, createBoardRequest)
    const board = await createWithState(
      c.var.user,
      workspaceId,
      body.id ?? newId(),
      body.title,
      new Y.Doc(),
    )
    return c.json({ board }, 201)
  })

  // Import: the body is one Yjs update (as produced by export); it becomes a new board.
  app.post('/workspaces/:ws/boards/import', async (c) => {
    const workspaceId = idParam(c, 'ws')
    await requireRole(auth, directory, c.var.user, workspaceId, 'editor')
    const bytes = await readLimited(c, deps.maxDocBytes)
    if (bytes.byteLength === 0)
      throw badRequest('the body must be a Yjs update (export of a board)')
    const doc = new Y.Doc()
    try {
      Y.decodeUpdate(bytes)
      Y.applyUpdate(doc, bytes)
    } catch {
      throw badRequest('the body is not a valid Yjs update')
    }
    const requested = c.req.query('id')
    if (requested !== undefined && !ID_PATTERN.test(requested))
      throw badRequest('id must be 1-64 letters, digits, - or _')
    const parsedTitle = boardTitleSchema.safeParse(
      c.req.query('title') ?? boardDoc(doc).meta.get('title') ?? 'Imported board',
    )
    if (!parsedTitle.success) throw badRequest('title must be 1-200 characters')
    const board = await createWithState(
      c.var.user,
      workspaceId,
      requested ?? newId(),
      parsedTitle.data,
      doc,
    )
    await deps.audit.record({
      action: 'board.imported',
      actor: c.var.user,
      workspaceId,
      target: board.id,
      data: { bytes: bytes.byteLength },
    })
    return c.json({ board }, 201)
  })

  app.get('/boards/:id', async (c) => {
    const { board, role } = await boardFor(c.var.user, idParam(c, 'id'), 'viewer')
    return c.json({ board: { ...board, role } })
  })

  app.patch('/boards/:id', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'editor')
    const body = await jsonBody(c, patchBoardRequest)
    // The document first: if its commit fails (503), the listing keeps the old title too.
    await rooms.change(board.id, (room) =>
      room.transactAsServer((doc) => boardDoc(doc).meta.set('title', body.title)),
    )
    await directory.renameBoard(board.id, body.title)
    const change = { actor: c.var.user, workspaceId: board.workspaceId, boardId: board.id }
    await deps.bus.emit('board.renamed', {
      ...change,
      data: { boardId: board.id, title: body.title },
    })
    await deps.audit.record({
      action: 'board.renamed',
      ...change,
      target: board.id,
      data: { from: board.title, to: body.title },
    })
    return c.json({ board: (await directory.board(board.id)) as Board })
  })

  // Archive (soft): the board leaves listings and its sockets close with 4404.
  app.delete('/boards/:id', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'owner')
    await directory.archiveBoard(board.id)
    const change = { actor: c.var.user, workspaceId: board.workspaceId, boardId: board.id }
    await deps.bus.emit('board.archived', {
      ...change,
      data: { boardId: board.id, title: board.title },
    })
    await deps.audit.record({ action: 'board.archived', ...change, target: board.id })
    // Its sockets close (4404) as the event is delivered, on whichever node runs the board.
    return c.json({ board: (await directory.board(board.id)) as Board })
  })

  // Undo of the archive, for its owners: the board is back in listings and opens again.
  app.post('/boards/:id/unarchive', async (c) => {
    const board = await directory.board(idParam(c, 'id'))
    if (!board) throw notFound('no such board')
    await requireRole(auth, directory, c.var.user, board.workspaceId, 'owner')
    if (await directory.unarchiveBoard(board.id)) {
      const change = { actor: c.var.user, workspaceId: board.workspaceId, boardId: board.id }
      await deps.bus.emit('board.unarchived', {
        ...change,
        data: { boardId: board.id, title: board.title },
      })
      await deps.audit.record({ action: 'board.unarchived', ...change, target: board.id })
    }
    return c.json({ board: (await directory.board(board.id)) as Board })
  })

  app.get('/boards/:id/export', async (c) => {
    const { board } = await boardFor(c.var.user, idParam(c, 'id'), 'viewer')
    await deps.audit.record({
      action: 'board.exported',
      actor: c.var.user,
      workspaceId: board.workspaceId,
      target: board.id,
    })
    const room = rooms.loaded(board.id)
    let state: Uint8Array
    if (room) {
      await room.whenCommitted()
      state = room.encodeState()
    } else {
      state = foldStored(await store.load(board.id))
    }
    return c.body(state as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${board.id}.yjs"`,
    })
  })

  return app
}

/**
 * Reads a request body of at most `limit` bytes. A Content-Length over the limit is refused
 * before any byte is read; otherwise the body is read as it arrives and reading stops at the
 * first chunk past the limit. Both refusals (413) close the connection, so the unread rest of
 * the body is not read either.
 */
async function readLimited(c: Context<AppEnv>, limit: number): Promise<Uint8Array> {
  const refuse = () => {
    closeAfterAnswer(c)
    return tooLarge(`board is over the size limit (${limit} bytes)`, { limit })
  }
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > limit) throw refuse()
  const body = c.req.raw.body
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    // Not reader.cancel(): that destroys the socket before the 413 can be sent.
    if (total > limit) throw refuse()
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

async function listWorkspaces(auth: Auth, directory: DirectoryRepo, user: User) {
  if (auth.enabled) return directory.workspacesOf(user.id)
  // Home mode: the local owner owns every workspace on this server.
  return (await directory.allWorkspaces()).map((w) => ({ ...w, role: 'owner' as const }))
}
