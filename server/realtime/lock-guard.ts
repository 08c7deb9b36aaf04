/**
 * Enforces locks on the document itself (docs/product.md, "Locks"; docs/locks.md): a change that a
 * connection makes to an entity another user has locked — its fields, anything nested in it,
 * or deleting it — is reverted by the server in the same turn, before anything is committed or
 * relayed; changes to other entities in the same update are kept.
 *
 * How: an UndoManager scoped to the board's collections records the connection's transaction;
 * its stack item is narrowed to the structs that belong to locked entities, then undone.
 */
import * as Y from 'yjs'
import { entityRef, type EntityRef, type LockHolder } from '../../shared/protocol/locks.ts'
import { EntityCollection, type EntityType } from '../../shared/schema/board.ts'

/** `<entityType>/<entityId>` → who holds its lock (only locks held by someone else). */
export type LockedEntities = ReadonlyMap<EntityRef, LockHolder>

interface DeleteRange {
  clock: number
  len: number
}

interface StackItemLike {
  insertions: { clients: Map<number, DeleteRange[]> }
  deletions: { clients: Map<number, DeleteRange[]> }
}

/**
 * Runs `apply` (which applies the connection's update with `origin`), then reverts what it did
 * to locked entities. Returns the entities whose changes were reverted.
 */
export function applyGuarded(
  doc: Y.Doc,
  origin: unknown,
  locked: LockedEntities,
  apply: () => void,
): Map<EntityRef, LockHolder> {
  const collections = new Map<Y.AbstractType<unknown>, EntityType>()
  for (const [entityType, name] of Object.entries(EntityCollection) as Array<
    [EntityType, string]
  >) {
    collections.set(doc.getMap(name) as Y.AbstractType<unknown>, entityType)
  }
  const undo = new Y.UndoManager([...collections.keys()], {
    trackedOrigins: new Set([origin]),
    captureTimeout: 0,
  })
  const reverted = new Map<EntityRef, LockHolder>()
  try {
    apply()
    const item = undo.undoStack.pop() as StackItemLike | undefined
    if (!item) return reverted
    const entityOf = (struct: Y.Item): EntityRef | null => {
      let current = struct
      for (;;) {
        const parent = current.parent
        if (!(parent instanceof Y.AbstractType)) return null
        if (parent._item === null) {
          const entityType = collections.get(parent as Y.AbstractType<unknown>)
          return entityType && current.parentSub ? entityRef(entityType, current.parentSub) : null
        }
        current = parent._item
      }
    }
    const narrow = (ranges: StackItemLike['insertions']) => {
      const kept = Y.createDeleteSet() as unknown as StackItemLike['insertions']
      doc.transact((transaction) => {
        Y.iterateDeletedStructs(
          transaction,
          ranges as unknown as Parameters<typeof Y.iterateDeletedStructs>[1],
          (struct) => {
            if (!(struct instanceof Y.Item)) return
            const entity = entityOf(struct)
            const holder = entity ? locked.get(entity) : undefined
            if (!entity || !holder) return
            reverted.set(entity, holder)
            const list = kept.clients.get(struct.id.client) ?? []
            list.push({ clock: struct.id.clock, len: struct.length })
            kept.clients.set(struct.id.client, list)
          },
        )
      }, undo)
      for (const list of kept.clients.values()) list.sort((a, b) => a.clock - b.clock)
      return kept
    }
    const insertions = narrow(item.insertions)
    const deletions = narrow(item.deletions)
    if (reverted.size === 0) return reverted
    item.insertions = insertions
    item.deletions = deletions
    undo.undoStack.push(item as never)
    undo.undo()
    return reverted
  } finally {
    undo.destroy()
  }
}
