/**
 * Runs Yjs's encode, decode, merge and apply paths on a throwaway document at start, so
 * the first board loaded after a restart does not pay for cold, unoptimised code: a fresh
 * process loads a large board several times slower than a warm one. One round runs each path
 * thousands of times, enough for V8 to optimise it; three rounds kept about 6 MB more memory
 * at rest (optimised code, and what the compiler threads allocated) than one.
 */
import * as Y from 'yjs'

export function warmUpYjs(rounds = 1): void {
  for (let round = 0; round < rounds; round++) {
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    const list = doc.getArray<unknown>('list')
    const map = doc.getMap<unknown>('map')
    for (let batch = 0; batch < 20; batch++) {
      doc.transact(() => {
        for (let i = 0; i < 100; i++) list.push([{ i, t: i * 1.5, s: 'x' }])
        map.set(`k${batch}`, batch)
        doc.getText('text').insert(0, 'ab')
      })
    }
    list.delete(0, 10)
    const state = Y.encodeStateAsUpdate(doc)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.mergeUpdates(updates))
    Y.decodeUpdate(state)
    Y.encodeStateVectorFromUpdate(state)
    Y.diffUpdate(state, Y.encodeStateVector(new Y.Doc()))
    Y.encodeStateAsUpdate(copy, Y.encodeStateVector(doc))
    copy.destroy()
    doc.destroy()
  }
}
