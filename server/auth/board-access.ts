import { CloseCode } from '../../shared/protocol/close-codes.ts'
import type { DirectoryRepo } from '../storage/directory-repo.ts'
import type { AccessDecision, DocAuthorizer } from '../realtime/doc-sockets.ts'
import type { Auth } from './auth.ts'

/**
 * The document socket's door: token first (so an unknown board tells a stranger nothing),
 * then the board, then membership of its workspace (or, for a guest, that this is their board).
 */
export class BoardAccess implements DocAuthorizer {
  constructor(
    private readonly auth: Auth,
    private readonly directory: DirectoryRepo,
  ) {}

  async authorize(boardId: string, token: string | undefined): Promise<AccessDecision> {
    const user = await this.auth.identifyToken(token)
    if (!user)
      return { ok: false, code: CloseCode.unauthorized, reason: 'missing or invalid token' }
    const board = await this.directory.board(boardId)
    if (!board || board.archivedAt !== null) {
      return { ok: false, code: CloseCode.notFound, reason: 'no such board' }
    }
    const role = await this.auth.roleOnBoard(user, board)
    if (!role)
      return { ok: false, code: CloseCode.forbidden, reason: 'not a member of this workspace' }
    return { ok: true, access: { user, role, workspaceId: board.workspaceId } }
  }
}
