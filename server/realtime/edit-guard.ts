/**
 * The guards on a connection's document changes, composed into one narrow-and-revert pass
 * (revert.ts): edits to entities someone else has locked (lock-guard.ts, docs/locks.md L11) and,
 * for a reviewer, changes their role does not allow (role-guard.ts). Both take back only their
 * part of an update; the rest is kept.
 */
import type * as Y from 'yjs'
import type { EntityRef, LockHolder } from '../../shared/protocol/locks.ts'
import { withoutEntities, withoutPaths, type Derived } from '../events/derive.ts'
import { outermost, roleRefusal } from './doc-changes.ts'
import { lockRefusal, type LockedEntities } from './lock-guard.ts'
import { applyThenRevert } from './revert.ts'

export interface Guards {
  /** Entities locked by someone other than the sender. */
  locked: LockedEntities | null
  /** The sender's user id when they are a reviewer (their changes are checked by role). */
  reviewer: string | null
}

export interface Refused {
  /** Locked entities whose changes were reverted, with who holds each. */
  locked: ReadonlyMap<EntityRef, LockHolder>
  /** Where changes the sender's role does not allow were reverted (`tasks/<id>/title`, …). */
  forbidden: readonly string[]
}

export const nothingRefused: Refused = { locked: new Map(), forbidden: [] }

export function needsGuard(guards: Guards): boolean {
  return (guards.locked?.size ?? 0) > 0 || guards.reviewer !== null
}

export function anythingRefused(refused: Refused): boolean {
  return refused.locked.size > 0 || refused.forbidden.length > 0
}

/** Runs `apply` (the connection's update, applied with `origin`), then reverts what the guards refuse. */
export function applyGuarded(
  doc: Y.Doc,
  origin: unknown,
  guards: Guards,
  apply: () => void,
): Refused {
  const lock = guards.locked && guards.locked.size > 0 ? lockRefusal(doc, guards.locked) : null
  const role = guards.reviewer !== null ? roleRefusal(doc, guards.reviewer) : null
  applyThenRevert(doc, origin, apply, (struct, applied) => {
    // Both guards see every struct, so each reports all of what it refused.
    const byLock = lock?.refuse(struct) ?? false
    const byRole = role?.refuse(struct, applied) ?? false
    return byLock || byRole
  })
  return {
    locked: lock?.reverted ?? new Map(),
    forbidden: role ? outermost(role.refused) : [],
  }
}

/** What was reverted did not happen: no events or notifications come from it. */
export function withoutRefused(derived: Derived, refused: Refused): Derived {
  return withoutPaths(withoutEntities(derived, refused.locked), refused.forbidden)
}

interface PendingStore {
  pendingStructs: { missing: Map<number, number>; update: Uint8Array } | null
  pendingDs: Uint8Array | null
}

/**
 * Takes note of what Yjs holds back (structs and deletes whose dependencies have not arrived)
 * and returns a function that puts it back as it was. A guarded update (a reviewer's, or one
 * sent while someone else holds a lock on the board) must apply whole, in its sender's guarded
 * transaction: what it left pending would be applied later inside someone else's transaction,
 * past the guard (a delete of a lock holder's next structs, say). Yjs
 * changes the pending record in place, so it is copied.
 */
export function keepPendingAsIs(store: PendingStore): () => void {
  const structs = store.pendingStructs && {
    missing: new Map(store.pendingStructs.missing),
    update: store.pendingStructs.update,
  }
  const ds = store.pendingDs
  return () => {
    store.pendingStructs = structs
    store.pendingDs = ds
  }
}
