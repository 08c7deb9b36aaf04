/**
 * Search (docs/product.md, "Search"): over the committed text of the boards the caller may
 * read in one workspace, or one board. Which boards those are is decided by the same check
 * the board routes make (`auth.roleOnBoard`), so a guest of a share link finds text on their
 * one board only, and archived boards never appear.
 */
import type { Logger } from 'pino'
import type { SearchResponse } from '../../shared/api.ts'
import type { Auth } from '../auth/auth.ts'
import type { Db } from '../db/open.ts'
import type { Directory, User } from '../db/directory.ts'
import { badRequest, notFound } from '../errors.ts'
import type { CommittedSource } from '../history/committed.ts'
import type { DocUpdate } from '../storage/doc-store.ts'
import { SearchIndexer } from './indexer.ts'
import { ftsQuery } from './query.ts'
import { SearchIndex } from './search-index.ts'

export interface SearchRequest {
  q: string
  workspace: string
  board?: string | undefined
  limit: number
}

export class Search {
  readonly indexer: SearchIndexer
  private readonly index: SearchIndex

  constructor(
    db: Db,
    private readonly deps: {
      auth: Auth
      directory: Directory
      source: CommittedSource
      log: Logger
    },
  ) {
    this.index = new SearchIndex(db)
    this.indexer = new SearchIndexer({ index: this.index, source: deps.source, log: deps.log })
  }

  /** Committed updates (storage/observed-doc-store.ts). */
  committed(updates: readonly DocUpdate[]): void {
    for (const boardId of new Set(updates.map((u) => u.boardId))) this.indexer.changed(boardId)
  }

  /** Brings every live board's index up to its stored state, in the background. */
  catchUp(): Promise<number> {
    const { directory } = this.deps
    const boards = directory.allWorkspaces().flatMap((w) => directory.boardsOf(w.id))
    return this.indexer.catchUp(boards.map((b) => b.id))
  }

  search(user: User, request: SearchRequest): SearchResponse {
    const query = ftsQuery(request.q)
    if (!query) throw badRequest('q has nothing to search for: give a word with letters or digits')
    const boardIds = this.readableBoards(user, request.workspace, request.board)
    try {
      return { results: this.index.search(query, boardIds, request.limit) }
    } catch (error) {
      // query.ts quotes everything, so this should not happen; if it does, it is the query's fault.
      if ((error as { code?: unknown }).code === 'SQLITE_ERROR')
        throw badRequest(`the search could not be understood: ${(error as Error).message}`)
      throw error
    }
  }

  private readableBoards(user: User, workspaceId: string, boardId?: string): string[] {
    const { auth, directory } = this.deps
    const readable = directory
      .boardsOf(workspaceId)
      .filter(
        (board) => (boardId === undefined || board.id === boardId) && auth.roleOnBoard(user, board),
      )
    // Nothing to read there tells a stranger nothing more than "no such place".
    if (readable.length === 0 && (boardId !== undefined || !auth.roleIn(user, workspaceId)))
      throw notFound(boardId === undefined ? 'no such workspace' : 'no such board')
    return readable.map((board) => board.id)
  }
}
