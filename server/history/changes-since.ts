/**
 * What changed on a board since a Yjs snapshot (its state vector and delete set), by entity
 * (docs/product.md, "History": since your last visit). One pass over the document's structs:
 * an item written after the snapshot, or deleted after it, belongs to the entity whose
 * top-level map entry holds it. An entity whose own entry was written after the snapshot is
 * `added`; one with anything else new inside is `changed`. Deleted entities are gone from both.
 *
 * Authors: Yjs stamps every written item with its client id, which `isOwn` maps to the caller,
 * so the caller's own writing is left out. A map value replaced by a newer one counts as the
 * newer one's author's change. Other deletions carry no author in Yjs, so a change that only
 * deletes (text cut from a description, a reaction taken back) counts whoever made it.
 */
import * as Y from 'yjs'
import type { EntityRefJson } from '../../shared/api.ts'
import { EntityCollection, type EntityType } from '../../shared/schema/board.ts'

export interface Changes {
  added: EntityRefJson[]
  changed: EntityRefJson[]
}

export function changesSince(
  doc: Y.Doc,
  since: Y.Snapshot,
  isOwn: (clientId: number) => boolean,
): Changes {
  const roots = new Map<Y.AbstractType<unknown>, EntityType>()
  for (const [entityType, name] of Object.entries(EntityCollection) as Array<[EntityType, string]>)
    roots.set(doc.getMap(name) as Y.AbstractType<unknown>, entityType)
  const entities = new Map<Y.AbstractType<unknown>, { ref: EntityRefJson; item: Y.Item } | null>()
  const added = new Map<string, EntityRefJson>()
  const changed = new Map<string, EntityRefJson>()

  /** The top-level entry an item lives under (memoised by parent type), or null. */
  const entityOf = (item: Y.Item): { ref: EntityRefJson; item: Y.Item } | null => {
    const parent = item.parent
    if (!(parent instanceof Y.AbstractType)) return null
    if (parent._item === null) {
      const entityType = roots.get(parent as Y.AbstractType<unknown>)
      return entityType && item.parentSub ? { ref: { entityType, id: item.parentSub }, item } : null
    }
    let found = entities.get(parent as Y.AbstractType<unknown>)
    if (found === undefined) {
      found = entityOf(parent._item)
      entities.set(parent as Y.AbstractType<unknown>, found)
    }
    return found
  }

  for (const [client, structs] of doc.store.clients) {
    const before = since.sv.get(client) ?? 0
    const own = isOwn(client)
    for (const struct of structs) {
      if (!(struct instanceof Y.Item)) continue
      const written = struct.id.clock + struct.length > before
      // Written and deleted again since (typed, then erased) leaves nothing to show.
      // A map value replaced by a newer one is deleted by it: the newer one, with its author,
      // speaks for the change.
      const overwritten = struct.parentSub !== null && struct.right !== null
      const reportable = written
        ? !struct.deleted && !own
        : struct.deleted && !overwritten && !Y.isDeleted(since.ds, struct.id)
      if (!reportable) continue
      const entity = entityOf(struct)
      // Gone (its entry deleted or replaced): a replacement entry is visited on its own.
      if (!entity || entity.item.deleted) continue
      const key = `${entity.ref.entityType}/${entity.ref.id}`
      if (entity.item === struct) added.set(key, entity.ref)
      else if (!added.has(key)) changed.set(key, entity.ref)
    }
  }
  for (const key of added.keys()) changed.delete(key)
  const sorted = (refs: Map<string, EntityRefJson>) =>
    [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref)
  return { added: sorted(added), changed: sorted(changed) }
}
