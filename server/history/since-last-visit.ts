/**
 * "Since your last visit" (docs/product.md, "History"). A visit ends when the user's last
 * document socket to the board closes; the server then keeps a snapshot of the board's
 * committed state (state vector and delete set) for that user. Asking later compares the
 * committed board now with that snapshot (changes-since.ts). The caller's own writing does
 * not count (they know what they did), except in home mode, where everyone is one user.
 */
import type { Logger } from 'pino'
import * as Y from 'yjs'
import type { SinceLastVisitResponse } from '../../shared/api.ts'
import type { Room } from '../realtime/room.ts'
import { changesSince } from './changes-since.ts'
import { readCommitted, type CommittedSource } from './committed.ts'
import type { VisitRepo } from '../storage/history-repo.ts'

export class SinceLastVisit {
  constructor(
    private readonly visits: VisitRepo,
    private readonly source: CommittedSource,
    private readonly log: Logger,
    /**
     * Whether users are told apart (auth on). In home mode everyone is the one local owner,
     * though a family may share it: every change since the visit counts, whoever made it.
     */
    private readonly ownWritingIsKnown: boolean,
  ) {}

  /**
   * The user's last socket to the room's board closed. The snapshot is taken now when the room
   * holds only committed state; otherwise (the user's last edits often still wait for their
   * commit) once they are stored, or from storage if the room moves on first.
   */
  visitEnded(userId: string, room: Room): void {
    const endedAt = Date.now()
    const save = (doc: Y.Doc) =>
      this.visits.saveVisit(userId, room.boardId, Y.encodeSnapshot(Y.snapshot(doc)), endedAt)
    const failed = (error: unknown) =>
      this.log.error({ err: error, boardId: room.boardId }, 'visit not recorded')
    try {
      // The snapshot is taken now, in this turn; only its write waits.
      const doc = room.committedDoc()
      if (doc) return void save(doc).catch(failed)
    } catch (error) {
      return failed(error)
    }
    room
      .whenCommitted()
      .catch(() => {})
      .then(async () => {
        const doc = room.committedDoc()
        // `save` takes the snapshot at once, before a scratch copy is let go.
        await (doc ? save(doc) : await readCommitted(this.source, room.boardId, save))
      })
      .catch(failed)
  }

  async changes(userId: string, boardId: string): Promise<SinceLastVisitResponse> {
    const visit = await this.visits.lastVisit(userId, boardId)
    if (!visit) return { added: [], changed: [], since: null }
    const own = this.ownWritingIsKnown
      ? await this.visits.clientsOf(boardId, userId)
      : new Set<number>()
    // One pass over every struct of the board, on the event loop: cheap for boards of
    // ordinary size; a worker could take it for very large ones.
    const changes = await readCommitted(this.source, boardId, (doc) =>
      changesSince(doc, visit.snapshot, (client) => own.has(client)),
    )
    return { ...changes, since: visit.endedAt }
  }
}
