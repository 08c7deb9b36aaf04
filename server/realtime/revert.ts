/**
 * Narrow and revert: the one way the server takes back part of a connection's update in the
 * same turn it arrives (docs/locks.md, L11; docs/product.md, the reviewer role). A `Y.UndoManager`
 * scoped to the whole document records the connection's transaction; its stack item is narrowed
 * to the structs a guard refuses, and undone. What stays is the allowed rest of the update; the
 * room stores and relays the update merged with this revert, so no replica sees the refused part.
 *
 * A restored deleted item is a copy (Yjs restores deleted content as new items). A map entry and
 * the entry it overwrote must be refused together, or the old one cannot come back: guards decide
 * per location, and both structs of one key share it.
 */
import * as Y from 'yjs'

/** What the connection's transaction did, for guards that need the state before it. */
export interface Applied {
  /** The struct with this id was inserted by the transaction. */
  inserted(id: Y.ID): boolean
  /** The struct with this id was deleted by the transaction. */
  deleted(id: Y.ID): boolean
}

/** Decides whether a struct the transaction inserted or deleted is taken back. */
export type Refuse = (struct: Y.Item, applied: Applied) => boolean

interface DeleteRange {
  clock: number
  len: number
}

interface DeleteSetLike {
  clients: Map<number, DeleteRange[]>
}

interface StackItemLike {
  insertions: DeleteSetLike
  deletions: DeleteSetLike
}

/** Origin of the transaction that only reads (and splits) structs while narrowing. */
const NARROWING = Symbol('narrowing')

/**
 * Runs `apply` (which applies the connection's update with `origin`, in one transaction), then
 * reverts every struct `refuse` picks. Returns true when something was reverted.
 */
export function applyThenRevert(
  doc: Y.Doc,
  origin: unknown,
  apply: () => void,
  refuse: Refuse,
): boolean {
  const undo = new Y.UndoManager(doc, { trackedOrigins: new Set([origin]), captureTimeout: 0 })
  // What the transaction and the undo deleted: the UndoManager keeps it from garbage collection
  // (it might restore it); once done, it is let go, or it would stay in memory and in snapshots.
  const deleted: DeleteSetLike[] = []
  try {
    apply()
    const item = undo.undoStack.pop() as StackItemLike | undefined
    if (!item) return false
    deleted.push(item.deletions)
    const asDeleteSet = (set: DeleteSetLike) => set as unknown as Parameters<typeof Y.isDeleted>[0]
    const applied: Applied = {
      inserted: (id) => Y.isDeleted(asDeleteSet(item.insertions), id),
      deleted: (id) => Y.isDeleted(asDeleteSet(item.deletions), id),
    }
    let refused = false
    const narrow = (ranges: DeleteSetLike): DeleteSetLike => {
      const kept = Y.createDeleteSet() as unknown as DeleteSetLike
      // Iterating splits items at range ends, which needs a transaction; it changes nothing.
      doc.transact((transaction) => {
        Y.iterateDeletedStructs(transaction, asDeleteSet(ranges), (struct) => {
          if (!(struct instanceof Y.Item) || !refuse(struct, applied)) return
          refused = true
          const list = kept.clients.get(struct.id.client) ?? []
          list.push({ clock: struct.id.clock, len: struct.length })
          kept.clients.set(struct.id.client, list)
        })
      }, NARROWING)
      for (const list of kept.clients.values()) list.sort((a, b) => a.clock - b.clock)
      return kept
    }
    // Both are decided against the state the update produced, before anything is undone.
    const insertions = narrow(item.insertions)
    const deletions = narrow(item.deletions)
    if (!refused) return false
    item.insertions = insertions
    item.deletions = deletions
    undo.undoStack.push(item as never)
    undo.undo()
    for (const redo of undo.redoStack as unknown as StackItemLike[]) deleted.push(redo.deletions)
    return true
  } finally {
    undo.destroy()
    for (const set of deleted) release(doc, set)
  }
}

/** Lets deleted structs the UndoManager kept be garbage-collected, as Yjs would have. */
function release(doc: Y.Doc, set: DeleteSetLike): void {
  const ds = set as unknown as Parameters<typeof Y.isDeleted>[0]
  doc.transact((transaction) => {
    Y.iterateDeletedStructs(transaction, ds, (struct) => {
      // Kept items' parents were kept too (Yjs keepItem); nothing else here keeps anything.
      for (let item = struct instanceof Y.Item ? struct : null; item?.keep;) {
        item.keep = false
        item = (item.parent as Y.AbstractType<unknown>)._item
      }
    })
  }, NARROWING)
  if (doc.gc) Y.tryGc(ds, doc.store, doc.gcFilter)
}
