/**
 * A board's first screen, kept on this device beside the board: the task view's content (every
 * task, the board's meta) as this user last saw it live, so a board opened from IndexedDB can
 * show its tasks at once, read-only, while Yjs decodes the stored document (about 250 ms on a
 * board of 1000 tasks and 2000 comments), and then carry on from the live document.
 *
 * It lives in the board's own y-indexeddb database (its `custom` store, keyed by user id), so
 * it goes wherever the board's stored document goes. It is shown only if it is current: a
 * save adds an empty update to the database's `updates` store past every key this page
 * stored, and the record names that key; any update stored after it that changes something
 * makes it stale. y-indexeddb stores one empty update each time it opens a document (the empty
 * document's state, before loading): those change nothing. Known limit: another tab's update
 * stored but not yet received by the saving tab (over the BroadcastChannel) is missing from a
 * save made in that moment; the live board then corrects the screen as it loads.
 */
import * as idb from 'lib0/indexeddb'
import type { TaskJson } from '../../../shared/schema/board.ts'

/** What the task view's first screen needs. */
export interface FirstScreen {
  tasks: Record<string, TaskJson>
  meta: Record<string, unknown>
}

/** A first screen read back, for the user it was read for. */
export interface ShownFirstScreen extends FirstScreen {
  userId: string
}

/** The stored record. */
interface Stored {
  v: 1
  /** The last key of the `updates` store when saved. */
  key: number
  savedAt: number
  /** The FirstScreen as JSON: one string is read and parsed faster than 1000 cloned objects. */
  json: string
}

/** More updates stored since the save than this: not worth reading, treated as stale. */
const MOST_LATER = 64

const recordKey = (userId: string) => `loupe-first-screen/${userId}`

/** The IndexedDB database y-indexeddb keeps a board in on this device. */
export function boardDbName(boardId: string): string {
  return `loupe-board-${boardId}`
}

/** The board's database, opened (and, if new, made) exactly as y-indexeddb makes it. */
export function openBoardDb(name: string): Promise<IDBDatabase> {
  return idb.openDB(name, (db) =>
    idb.createStores(db, [['updates', { autoIncrement: true }], ['custom']]),
  )
}

/**
 * Whether an update stored by y-indexeddb changes nothing: the update of an empty document,
 * no structs and no deletions (V1: zero clients, zero delete-set clients), which y-indexeddb
 * stores each time it opens a document that has nothing in it yet.
 */
export function isEmptyUpdate(update: unknown): boolean {
  // Not `instanceof Uint8Array`: what IndexedDB hands back may come from another realm.
  if (!ArrayBuffer.isView(update) || update.byteLength !== 2) return false
  const bytes = new Uint8Array(update.buffer, update.byteOffset, 2)
  return bytes[0] === 0 && bytes[1] === 0
}

/** Whether a record is one this code wrote, and the updates stored after it change nothing. */
export function isCurrent(record: unknown, later: unknown[]): record is Stored {
  const r = record as Partial<Stored> | undefined
  return (
    r?.v === 1 &&
    typeof r.key === 'number' &&
    typeof r.json === 'string' &&
    later.length < MOST_LATER &&
    later.every(isEmptyUpdate)
  )
}

const done = <T>(request: IDBRequest<T>): Promise<T> => idb.rtop(request) as Promise<T>

/** This user's first screen of the board in `db`, if saved and current; null otherwise. */
export async function readFirstScreen(
  db: IDBDatabase,
  userId: string,
): Promise<ShownFirstScreen | null> {
  const tx = db.transaction(['custom', 'updates'], 'readonly')
  const record = await done(tx.objectStore('custom').get(recordKey(userId)))
  if (!isCurrent(record, [])) return null
  const later = await done(
    tx.objectStore('updates').getAll(IDBKeyRange.lowerBound(record.key, true), MOST_LATER),
  )
  if (!isCurrent(record, later)) return null
  const screen = JSON.parse(record.json) as FirstScreen
  return { tasks: screen.tasks, meta: screen.meta, userId }
}

/** The last key of the board's `updates` store (0 when empty), as of every write made before. */
export async function readLastKey(db: IDBDatabase): Promise<number> {
  const tx = db.transaction('updates', 'readonly')
  const last = await done(tx.objectStore('updates').openKeyCursor(null, 'prev'))
  return typeof last?.key === 'number' ? last.key : 0
}

/** An empty update (see isEmptyUpdate): what marks where a first screen was saved. */
const EMPTY = new Uint8Array([0, 0])

/**
 * Saves this user's first screen of the board in `db`, all of it asked for at once (so it is
 * written even from a page being unloaded). `screen` is the live document's content now;
 * `above` is at least the last key this page knows the `updates` store to have. An empty
 * update is added at the key after it, and the record names that key: whatever is stored
 * later gets a higher key (IndexedDB raises its key generator past a key given), so the
 * record reads as stale after any change. If the key is taken (another tab stored more
 * meanwhile) nothing is written; if `above` is lower than what is stored, the updates above
 * it make the record read as stale. Resolves with the key used once written.
 */
export function saveFirstScreen(
  db: IDBDatabase,
  userId: string,
  screen: FirstScreen,
  above: number,
): Promise<number> {
  const key = above + 1
  const record: Stored = { v: 1, key, savedAt: Date.now(), json: JSON.stringify(screen) }
  const tx = db.transaction(['updates', 'custom'], 'readwrite')
  tx.objectStore('updates').add(EMPTY, key)
  tx.objectStore('custom').put(record, recordKey(userId))
  const written = new Promise<number>((resolve, reject) => {
    tx.oncomplete = () => resolve(key)
    tx.onabort = () => reject(tx.error ?? new Error('first screen not saved'))
  })
  // Asked to commit now: a page unloading has no later turn in which to do it.
  tx.commit?.()
  return written
}
