/**
 * A board's committed state, for readers that must never see what is only in memory (history,
 * search, since-last-visit, reports). A loaded room that has nothing waiting to commit holds
 * exactly what is stored, encoded once; otherwise storage is read. Neither loads a room.
 */
import * as Y from 'yjs'
import { board } from '../../shared/schema/board.ts'
import type { RoomManager } from '../realtime/rooms.ts'
import { applyStored, mergeStored, type DocStore } from '../storage/doc-store.ts'

export interface CommittedSource {
  rooms: RoomManager
  store: DocStore
}

/** The board's committed state as one Yjs update. */
export async function committedState(
  source: CommittedSource,
  boardId: string,
): Promise<Uint8Array> {
  const fromRoom = source.rooms.loaded(boardId)?.committedState()
  return fromRoom ?? mergeStored(await source.store.load(boardId))
}

/**
 * Runs `read` on the board's committed document: the room's own (read synchronously, so no
 * update can slip in) or a scratch copy built from storage. `read` must not change it.
 *
 * Building the copy applies the whole board on the event loop; for very large boards this is
 * the step to move to a worker (as update-worker-pool.ts does for large updates and compaction).
 */
export async function readCommitted<T>(
  source: CommittedSource,
  boardId: string,
  read: (doc: Y.Doc) => T,
): Promise<T> {
  const live = source.rooms.loaded(boardId)?.committedDoc()
  if (live) return read(live)
  const stored = await source.store.load(boardId)
  const scratch = new Y.Doc()
  board(scratch)
  applyStored(scratch, stored)
  try {
    return read(scratch)
  } finally {
    scratch.destroy()
  }
}

/** A scratch document holding `state`, its board types defined first. */
export function docFromState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  board(doc)
  Y.applyUpdate(doc, state)
  return doc
}
