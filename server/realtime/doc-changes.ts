/**
 * Where a struct of an update sits on the board, and what was there before and after the
 * update: the `Change` the role rules (role-guard.ts) decide on. Read right after the update is
 * applied and before anything is reverted; content deleted by the update is still readable then
 * (the guard's UndoManager keeps it).
 *
 * Two structs of one map key (the new value and the one it overwrote) get the same Change, so
 * they are refused or kept together (revert.ts). A deletion inside a refused deletion is refused
 * too, so a restored entity comes back whole.
 */
import * as Y from 'yjs'
import { reviewerMay, type Change, type Held, type Owner } from './role-guard.ts'
import type { Applied } from './revert.ts'

/** The field naming who made an entity, per top-level collection (and `comment`). */
const AUTHOR_FIELD: Readonly<Record<string, string>> = {
  annotations: 'authorId',
  threads: 'createdBy',
  tasks: 'createdBy',
  media: 'addedBy',
  comment: 'authorId',
}

type Type = Y.AbstractType<unknown>

const lastContent = (item: Y.Item): unknown => item.content.getContent().at(-1)
const typeOf = (item: Y.Item): Type | null => {
  const type = (item.content as { type?: unknown }).type
  return type instanceof Y.AbstractType ? (type as Type) : null
}

/**
 * A guard for `applyThenRevert` that refuses what a reviewer may not change, and collects
 * the refused locations (`tasks/<id>/title`, `annotations/<id>`, …) in `refused`.
 */
export function roleRefusal(doc: Y.Doc, actor: string) {
  const decided = new Map<Y.Item, boolean>()
  const refused = new Set<string>()
  // Read once the update is applied: it may have made top-level types of its own.
  let roots: Map<unknown, string> | null = null

  const refuse = (struct: Y.Item, applied: Applied): boolean => {
    const known = decided.get(struct)
    if (known !== undefined) return known
    roots ??= new Map([...doc.share].map(([name, type]) => [type, name]))
    const change = locate(struct, roots, new Reader(applied))
    let no = change ? !reviewerMay(actor, change) : true
    // A deletion inside a refused deletion goes back with it, so the entity returns whole.
    const parent = (struct.parent as Type | null)?._item ?? null
    if (!no && parent && applied.deleted(struct.id) && applied.deleted(parent.id))
      no = refuse(parent, applied)
    decided.set(struct, no)
    if (no) refused.add(change ? change.path.join('/') : '?')
    return no
  }
  return { refuse, refused }
}

/** Only the outermost refused locations: a refused entity stands for its refused fields. */
export function outermost(paths: Iterable<string>): string[] {
  const sorted = [...paths].sort()
  return sorted.filter((path, i) => !sorted.slice(0, i).some((p) => path.startsWith(`${p}/`)))
}

class Reader {
  constructor(private readonly applied: Applied) {}

  /** What a map key holds after the update, and held before it. */
  key(parent: Type, key: string, collection: string): { before: Held | null; after: Held | null } {
    const latest = parent._map.get(key) ?? null
    let previous = latest
    while (previous && this.applied.inserted(previous.id)) previous = previous.left
    return {
      before: previous && this.livedBefore(previous) ? this.held(previous, collection, true) : null,
      after: latest && !latest.deleted ? this.held(latest, collection, false) : null,
    }
  }

  /** An array element (a comment): present before unless inserted now, after unless deleted. */
  element(item: Y.Item, collection: string): { before: Held | null; after: Held | null } {
    return {
      before:
        !this.applied.inserted(item.id) && this.livedBefore(item)
          ? this.held(item, collection, true)
          : null,
      after: item.deleted ? null : this.held(item, collection, false),
    }
  }

  /** Who made an entity (or comment) instance, as of before the update unless it made it. */
  owner(item: Y.Item, collection: string): Owner {
    const created = this.applied.inserted(item.id)
    return { created, removed: item.deleted, owner: this.author(item, collection, !created) }
  }

  private livedBefore(item: Y.Item): boolean {
    return !item.deleted || this.applied.deleted(item.id)
  }

  private held(item: Y.Item, collection: string, before: boolean): Held {
    const type = typeOf(item)
    return type ? { owner: this.author(item, collection, before) } : { value: lastContent(item) }
  }

  private author(item: Y.Item, collection: string, before: boolean): string | null {
    const type = typeOf(item)
    const field = AUTHOR_FIELD[collection]
    if (!type || !field) return null
    const value = before ? this.fieldBefore(type, field) : this.fieldAfter(type, field)
    return typeof value === 'string' ? value : null
  }

  fieldAfter(type: Type, key: string): unknown {
    const item = type._map.get(key)
    return item && !item.deleted ? lastContent(item) : undefined
  }

  fieldBefore(type: Type, key: string): unknown {
    let item = type._map.get(key) ?? null
    while (item && this.applied.inserted(item.id)) item = item.left
    return item && this.livedBefore(item) ? lastContent(item) : undefined
  }
}

/**
 * The Change a struct makes: its path from the top-level type down to the map key or the comment
 * it sits in (text and plain array content count as a change of the field holding them).
 */
function locate(struct: Y.Item, roots: ReadonlyMap<unknown, string>, read: Reader): Change | null {
  const chain: Y.Item[] = []
  let root: string | undefined
  for (let item: Y.Item = struct; ;) {
    chain.unshift(item)
    const parent = item.parent as Type | null
    if (!(parent instanceof Y.AbstractType)) return null
    if (parent._item === null) {
      root = roots.get(parent)
      break
    }
    item = parent._item
  }
  if (root === undefined) return null
  // In a thread, chain[2] may be a comment: an element of the thread's `comments`.
  const commentItem =
    root === 'threads' &&
    chain[1]?.parentSub === 'comments' &&
    chain[2]?.parentSub === null &&
    typeOf(chain[2]) instanceof Y.Map
      ? chain[2]
      : null
  const path = [root]
  let at: Pick<Change, 'before' | 'after'> = { before: null, after: null }
  for (const [depth, item] of chain.entries()) {
    if (item.parentSub !== null) {
      path.push(item.parentSub)
      at = read.key(item.parent as Type, item.parentSub, depth === 0 ? root : '')
      continue
    }
    if (item !== commentItem) break // text or plain list content: a change of its field
    const type = typeOf(item) as Type
    path.push(String(read.fieldAfter(type, 'id') ?? read.fieldBefore(type, 'id') ?? idOf(item)))
    at = read.element(item, 'comment')
  }
  return {
    path,
    ...at,
    // Who owns the entity, or the comment, the change is inside (not the entity itself).
    entity: chain.length > 1 ? read.owner(chain[0] as Y.Item, root) : null,
    comment: commentItem && chain.length > 3 ? read.owner(commentItem, 'comment') : null,
  }
}

const idOf = (item: Y.Item) => `${item.id.client}:${item.id.clock}`
