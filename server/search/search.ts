/**
 * Search (docs/product.md, "Search"): over the committed text of the boards the caller may
 * read in one workspace, or one board. Which boards those are is decided by the same check
 * the board routes make (`auth.roleOnBoard`), so a guest of a share link finds text on their
 * one board only, and archived boards never appear.
 */
import type { Logger } from 'pino'
import type { SearchResponse } from '../../shared/api.ts'
import type { Auth } from '../auth/auth.ts'
import type { DirectoryRepo, User } from '../storage/directory-repo.ts'
import { badRequest, notFound } from '../errors.ts'
import type { CommittedSource } from '../history/committed.ts'
import type { DocUpdate } from '../storage/doc-store.ts'
import type { SearchRepo } from '../storage/search-repo.ts'
import { SearchIndexer } from './indexer.ts'
import { parseSearch } from './query.ts'

export interface SearchRequest {
  q: string
  workspace: string
  board?: string | undefined
  limit: number
}

export class Search {
  readonly indexer: SearchIndexer

  constructor(
    private readonly index: SearchRepo,
    private readonly deps: {
      auth: Auth
      directory: DirectoryRepo
      source: CommittedSource
      log: Logger
    },
  ) {
    this.indexer = new SearchIndexer({ index, source: deps.source, log: deps.log })
  }

  /** Committed updates (storage/observed-doc-store.ts). */
  committed(updates: readonly DocUpdate[]): void {
    for (const boardId of new Set(updates.map((u) => u.boardId))) this.indexer.changed(boardId)
  }

  /** Brings every live board's index up to its stored state, in the background. */
  async catchUp(): Promise<number> {
    const { directory } = this.deps
    const boardIds: string[] = []
    for (const workspace of await directory.allWorkspaces())
      for (const board of await directory.boardsOf(workspace.id)) boardIds.push(board.id)
    return this.indexer.catchUp(boardIds)
  }

  async search(user: User, request: SearchRequest): Promise<SearchResponse> {
    const query = parseSearch(request.q)
    if (!query) throw badRequest('q has nothing to search for: give a word with letters or digits')
    const boardIds = await this.readableBoards(user, request.workspace, request.board)
    try {
      return { results: await this.index.search(query, boardIds, request.limit) }
    } catch (error) {
      // Every store renders terms so nothing is an operator; if SQLite still refuses the
      // query, it is the query's fault.
      if ((error as { code?: unknown }).code === 'SQLITE_ERROR')
        throw badRequest(`the search could not be understood: ${(error as Error).message}`)
      throw error
    }
  }

  private async readableBoards(user: User, workspaceId: string, boardId?: string) {
    const { auth, directory } = this.deps
    const readable: string[] = []
    for (const board of await directory.boardsOf(workspaceId)) {
      if (boardId !== undefined && board.id !== boardId) continue
      if (await auth.roleOnBoard(user, board)) readable.push(board.id)
    }
    // Nothing to read there tells a stranger nothing more than "no such place".
    if (readable.length === 0 && (boardId !== undefined || !(await auth.roleIn(user, workspaceId))))
      throw notFound(boardId === undefined ? 'no such workspace' : 'no such board')
    return readable
  }
}
