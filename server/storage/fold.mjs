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
 * Folds a stored board through a scratch document, which also garbage-collects deletions.
 * @param {{ state: Uint8Array | null, updates: Uint8Array[] }} stored
 * @returns {Uint8Array}
 */
export function foldStored(stored) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, mergeStored(stored))
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/**
 * True when the rows add nothing to `state`: their merge applied to the state changes
 * nothing, so deleting the rows loses nothing, even if a row was never applied. Merging first
 * keeps this one integration instead of one per row.
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
    Y.applyUpdate(
      doc,
      rows.length === 1
        ? /** @type {Uint8Array} */ (rows[0])
        : Y.mergeUpdates(/** @type {Uint8Array[]} */ (rows)),
    )
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
