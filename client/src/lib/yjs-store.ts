/**
 * Yjs → Solid: a Solid store mirroring a Y.Map of entities, updated from `observeDeep` with
 * `reconcile` one entity at a time (a keystroke in one task re-reads that task, not the
 * board). Writes never go through the store: they go through `doc.transact` with LOCAL, so
 * the undo manager and the server see them as this user's.
 */
import { batch, onCleanup } from 'solid-js'
import { createStore, reconcile } from 'solid-js/store'
import * as Y from 'yjs'

/** The origin of every change this client's user makes (undo tracks exactly these). */
export const LOCAL = Symbol('local')

/**
 * Nested Yjs types deeper than this are not rendered. Any client may write a tree thousands
 * deep into an entity, and Yjs's own `toJSON` recurses once per level: a board must still
 * open (it did not: the stack overflowed).
 */
export const MAX_NESTING = 32

/** An entity's value as plain JSON, like `toJSON()`, but never deeper than MAX_NESTING. */
export function plain(value: unknown, depth = 0): unknown {
  if (!(value instanceof Y.AbstractType)) return value
  if (depth >= MAX_NESTING) return null
  if (value instanceof Y.Map) {
    const out: Record<string, unknown> = {}
    value.forEach((item, key) => (out[key] = plain(item, depth + 1)))
    return out
  }
  if (value instanceof Y.Array) return value.toArray().map((item) => plain(item, depth + 1))
  if (value instanceof Y.Text) return value.toString()
  // XML types render themselves recursively; only shallow ones are shown.
  if (value instanceof Y.XmlElement || value instanceof Y.XmlFragment) {
    let level = 0
    for (
      let node: unknown = value;
      node instanceof Y.XmlElement || node instanceof Y.XmlFragment;
    ) {
      if (++level + depth > MAX_NESTING) return null
      node = node.firstChild
    }
    return value.toJSON()
  }
  return null
}

/** A store of `map`'s entries as plain JSON, kept in step with the map. */
export function makeYMapStore<T extends object>(map: Y.Map<unknown>) {
  const initial: Record<string, T> = {}
  map.forEach((value, key) => (initial[key] = plain(value) as T))
  const [store, setStore] = createStore<Record<string, T>>(initial)
  const onChange = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => {
    const touched = new Set<string>()
    for (const event of events) {
      if (event.target === map) {
        for (const key of event.keys.keys()) touched.add(key)
      } else {
        const first = event.path[0]
        if (typeof first === 'string') touched.add(first)
      }
    }
    // One batch per Yjs change: a sync that brings a thousand entities re-renders once.
    batch(() => {
      for (const key of touched) {
        const value = map.get(key)
        if (value === undefined) setStore(key, undefined as unknown as T)
        else setStore(key, reconcile(plain(value) as T))
      }
    })
  }
  map.observeDeep(onChange)
  return {
    store,
    dispose: () => map.unobserveDeep(onChange),
    /**
     * Shows `values` (a saved first screen, lib/first-screen.ts) until the map has loaded;
     * only into an empty store. From then on each entry the map brings replaces its own.
     */
    seed(values: Record<string, T>) {
      if (Object.keys(store).length === 0 && map.size === 0) setStore(values)
    },
    /** Once the map has loaded: drops the entries seeded that the map does not have. */
    settle() {
      batch(() => {
        for (const key of Object.keys(store))
          if (!map.has(key)) setStore(key, undefined as unknown as T)
      })
    },
  }
}

/** `makeYMapStore`, unobserved when the calling component goes away. */
export function createYMapStore<T extends object>(map: Y.Map<unknown>): Record<string, T> {
  const { store, dispose } = makeYMapStore<T>(map)
  onCleanup(dispose)
  return store
}
