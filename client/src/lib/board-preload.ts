/**
 * A page opened on a board starts reading that board from IndexedDB at once, while the shell
 * is still signing in; the board's connection then takes the document already loading instead
 * of starting over (lib/board.ts). One entry at most, taken once.
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { board as boardTypes } from '../../../shared/schema/board.ts'
import { deferLoadUpdate, type DeferredLoad } from './idb-load.ts'

let early: {
  boardId: string
  doc: Y.Doc
  idb: IndexeddbPersistence
  load: DeferredLoad
} | null = null

export function preloadBoard(boardId: string): void {
  if (early) return
  const doc = new Y.Doc()
  boardTypes(doc)
  const idb = new IndexeddbPersistence(`loupe-board-${boardId}`, doc)
  early = { boardId, doc, idb, load: deferLoadUpdate(doc, idb) }
}

/** The preloaded document and its persistence for `boardId`, if any (taken only once). */
export function takePreloaded(boardId: string) {
  if (early?.boardId !== boardId) return null
  const taken = early
  early = null
  return taken
}
