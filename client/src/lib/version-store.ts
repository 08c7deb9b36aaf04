/**
 * A past version of a board, shown read-only with the normal board components: its state (one
 * Yjs update, GET …/versions/<id>/export) goes into a Y.Doc of its own that is never
 * connected, saved or observed by the live board, so nothing done while looking at it can
 * reach the live board. The store is the live one with the content, the selection and the
 * permissions swapped; presence and locks are quiet stand-ins, since looking at the past tells
 * nobody anything. Restoring goes through the server (components/history/restore.ts).
 */
import { onCleanup } from 'solid-js'
import * as Y from 'yjs'
import type { BoardVersion } from '../../../shared/api.ts'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import type { BoardConnection } from './board.ts'
import { createBoardContent, createSelection, type BoardStore } from './board-store.ts'
import type { Locks } from './locks.ts'
import type { Presence } from './presence.ts'

export function createVersionStore(
  live: BoardStore,
  state: Uint8Array,
  version: BoardVersion,
): BoardStore {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  const undo = new Y.UndoManager(Object.values(boardTypes(doc)) as Y.AbstractType<unknown>[])
  onCleanup(() => {
    undo.destroy()
    doc.destroy()
  })
  const content = createBoardContent(doc, live.names.person)
  const presence: Presence = {
    ...live.presence,
    set: () => {},
    moveCursor: () => {},
  }
  const locks: Locks = {
    ...live.locks,
    holderOf: () => null,
    waiting: () => ({}),
    take: async () => false,
    notifyWhenFree: async () => {},
  }
  const conn: BoardConnection = { ...live.conn, doc, undo, transact: () => {} }
  return {
    ...live,
    ...content,
    ...createSelection(live.boardId, content, presence, version.id),
    conn,
    presence,
    locks,
    readOnly: () => true,
    canEdit: () => false,
    title: () => String(content.meta.title ?? live.title()),
    version: { ...version, now: live, canRestore: () => live.canEdit() },
  }
}
