// @ts-check
/**
 * Cuts one Yjs update (v1 encoding) into several smaller ones that, applied in order, give the
 * same document as the whole. A room applies a large update slice by slice, one per event-loop
 * turn, so a legal but huge update (hundreds of thousands of tiny items, or a tree thousands
 * deep) never holds the loop for long. Decoding — the costly part of checking an update — runs
 * here, in a worker thread (update-worker.mjs); plain JavaScript so the worker needs no loader.
 *
 * Each slice holds at most `maxStructs` structs, each client's run of structs at most once per
 * slice, written exactly as Yjs writes them (Item/GC/Skip `write`). The delete set follows in
 * slices of its own, after every struct, so deletions find what they delete.
 */
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * @param {Uint8Array} update
 * @param {number} maxStructs
 * @returns {{ slices: Uint8Array[], structs: number, deletes: number }}
 */
export function sliceUpdate(update, maxStructs) {
  // Throws on anything that is not a whole, well-formed update: garbage never reaches a doc.
  const { structs, ds } = Y.decodeUpdate(update)
  /** @type {Map<number, Array<Y.Item | Y.GC | Y.Skip>>} */
  const runs = new Map()
  for (const struct of structs) {
    const run = runs.get(struct.id.client)
    if (run) run.push(struct)
    else runs.set(struct.id.client, [struct])
  }
  /** @type {Array<Array<{ client: number, structs: Array<Y.Item | Y.GC | Y.Skip> }>>} */
  const plans = []
  /** @type {Array<{ client: number, structs: Array<Y.Item | Y.GC | Y.Skip> }>} */
  let plan = []
  let planned = 0
  for (const [client, run] of runs) {
    for (let start = 0; start < run.length;) {
      const piece = run.slice(start, start + maxStructs - planned)
      plan.push({ client, structs: piece })
      planned += piece.length
      start += piece.length
      if (planned >= maxStructs) {
        plans.push(plan)
        plan = []
        planned = 0
      }
    }
  }
  if (plan.length > 0) plans.push(plan)

  const slices = plans.map((pieces) => {
    const encoder = new Y.UpdateEncoderV1()
    encoding.writeVarUint(encoder.restEncoder, pieces.length)
    for (const { client, structs: piece } of pieces) {
      // As Yjs writes a client's run: count, client, first clock, then each struct (a Skip
      // included: it stands for a gap the reader steps over).
      encoding.writeVarUint(encoder.restEncoder, piece.length)
      encoder.writeClient(client)
      encoding.writeVarUint(encoder.restEncoder, /** @type {any} */ (piece[0]).id.clock)
      for (const struct of piece) /** @type {any} */ (struct).write(encoder, 0)
    }
    encoding.writeVarUint(encoder.restEncoder, 0) // no deletions here
    return encoder.toUint8Array()
  })

  let deletes = 0
  /** @type {Array<[number, Array<{ clock: number, len: number }>]>} */
  let batch = []
  let inBatch = 0
  const flushDeletes = () => {
    if (batch.length === 0) return
    const encoder = new Y.UpdateEncoderV1()
    encoding.writeVarUint(encoder.restEncoder, 0) // no structs
    encoding.writeVarUint(encoder.restEncoder, batch.length)
    for (const [client, items] of batch) {
      encoder.resetDsCurVal()
      encoding.writeVarUint(encoder.restEncoder, client)
      encoding.writeVarUint(encoder.restEncoder, items.length)
      for (const item of items) {
        encoder.writeDsClock(item.clock)
        encoder.writeDsLen(item.len)
      }
    }
    slices.push(encoder.toUint8Array())
    batch = []
    inBatch = 0
  }
  for (const [client, items] of ds.clients) {
    deletes += items.length
    for (let start = 0; start < items.length;) {
      const piece = items.slice(start, start + (maxStructs - inBatch))
      batch.push([client, piece])
      inBatch += piece.length
      start += piece.length
      if (inBatch >= maxStructs) flushDeletes()
    }
  }
  flushDeletes()
  return { slices, structs: structs.length, deletes }
}
