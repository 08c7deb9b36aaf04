// @ts-check
/**
 * Folding a stored board into one snapshot, and the proof that lets its rows be deleted.
 * Plain JavaScript, so the update worker (realtime/update-worker.mjs) runs it as it is: for a
 * large board folding and proving take about a second, which compaction does there, off the
 * event loop (sqlite-doc-store.ts). doc-store.ts re-exports these for the rest of the server.
 */
import * as Y from 'yjs'

/**
 * The state a stored board decodes to: snapshot and log merged (no document needed).
 * @param {{ state: Uint8Array | null, updates: Uint8Array[] }} stored
 * @returns {Uint8Array}
 */
export function mergeStored(stored) {
  const parts = stored.state ? [stored.state, ...stored.updates] : stored.updates
  if (parts.length === 0) return Y.encodeStateAsUpdate(new Y.Doc())
  return parts.length === 1 ? /** @type {Uint8Array} */ (parts[0]) : Y.mergeUpdates(parts)
}

/**
 * Applies a stored board to `doc`: the snapshot, then each row in order, all in one
 * transaction (so observers run once, at the end). Two to three times faster than applying
 * the merge of them all (`mergeStored`): Y.mergeUpdates re-encodes every struct of every row
 * first, and costs more than linearly in the rows (500 small rows on a board of 2000 items:
 * 11–16 ms here against 23–40 ms, 1000 rows on 20 000 items: 40–54 against 81–94).
 * @param {Y.Doc} doc
 * @param {{ state: Uint8Array | null, updates: readonly Uint8Array[] }} stored
 * @param {unknown} [origin]
 */
export function applyStored(doc, stored, origin = null) {
  doc.transact(() => {
    if (stored.state) Y.applyUpdate(doc, stored.state)
    for (const update of stored.updates) Y.applyUpdate(doc, update)
  }, origin)
}

/**
 * Folds a stored board through a scratch document, which also garbage-collects deletions.
 * @param {{ state: Uint8Array | null, updates: Uint8Array[] }} stored
 * @returns {Uint8Array}
 */
export function foldStored(stored) {
  const doc = new Y.Doc()
  applyStored(doc, stored)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/**
 * True when the rows add nothing to `state`: applied to the state (in one transaction) they
 * change nothing, so deleting the rows loses nothing, even if a row was never applied.
 * @param {Uint8Array} state
 * @param {readonly Uint8Array[]} rows
 * @returns {boolean}
 */
export function provesMerged(state, rows) {
  if (rows.length === 0) return true
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, state)
    let changed = false
    doc.on('update', () => {
      changed = true
    })
    applyStored(doc, { state: null, updates: rows })
    return !changed
  } finally {
    doc.destroy()
  }
}

/**
 * A compaction's whole computation: the stored board folded, proven to contain every row,
 * with its state vector; null when a row is not contained (its rows must stay).
 * @param {{ state: Uint8Array | null, updates: Uint8Array[] }} stored
 * @returns {{ state: Uint8Array, stateVector: Uint8Array } | null}
 */
export function foldAndProve(stored) {
  const state = foldStored(stored)
  if (!provesMerged(state, stored.updates)) return null
  return { state, stateVector: Y.encodeStateVectorFromUpdate(state) }
}
