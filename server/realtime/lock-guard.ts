/**
 * Enforces locks on the document itself (docs/product.md, "Locks"; docs/locks.md, L11): a change
 * that a connection makes to an entity another user has locked — its fields, anything nested in
 * it, or deleting it — is reverted by the server in the same turn, before anything is committed
 * or relayed; changes to other entities in the same update are kept. The reverting itself is
 * revert.ts; this file says which structs belong to a locked entity.
 */
import * as Y from 'yjs'
import { entityRef, type EntityRef, type LockHolder } from '../../shared/protocol/locks.ts'
import { EntityCollection, type EntityType } from '../../shared/schema/board.ts'
import { applyThenRevert } from './revert.ts'

/** `<entityType>/<entityId>` → who holds its lock (only locks held by someone else). */
export type LockedEntities = ReadonlyMap<EntityRef, LockHolder>

/**
 * A guard for `applyThenRevert`: refuses the structs of locked entities and records, in
 * `reverted`, which entities it refused and who holds each.
 */
export function lockRefusal(doc: Y.Doc, locked: LockedEntities) {
  const collections = new Map<unknown, EntityType>()
  for (const [entityType, name] of Object.entries(EntityCollection) as Array<
    [EntityType, string]
  >) {
    collections.set(doc.getMap(name), entityType)
  }
  const entityOf = (struct: Y.Item): EntityRef | null => {
    let current = struct
    for (;;) {
      const parent = current.parent
      if (!(parent instanceof Y.AbstractType)) return null
      if (parent._item === null) {
        const entityType = collections.get(parent)
        return entityType && current.parentSub ? entityRef(entityType, current.parentSub) : null
      }
      current = parent._item
    }
  }
  const reverted = new Map<EntityRef, LockHolder>()
  return {
    reverted,
    refuse(struct: Y.Item): boolean {
      const entity = entityOf(struct)
      const holder = entity ? locked.get(entity) : undefined
      if (!entity || !holder) return false
      reverted.set(entity, holder)
      return true
    },
  }
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
  const guard = lockRefusal(doc, locked)
  applyThenRevert(doc, origin, apply, (struct) => guard.refuse(struct))
  return guard.reverted
}
