import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { UpdateWorker } from './update-worker-pool.ts'
import { sliceUpdate } from './update-slicer.mjs'

/** Applying the slices in order must give exactly the document the whole update gives. */
function expectSameDoc(update: Uint8Array, slices: Uint8Array[], base?: Uint8Array) {
  const whole = new Y.Doc()
  const sliced = new Y.Doc()
  if (base) {
    Y.applyUpdate(whole, base)
    Y.applyUpdate(sliced, base)
  }
  Y.applyUpdate(whole, update)
  for (const slice of slices) Y.applyUpdate(sliced, slice)
  expect(sliced.store.pendingStructs).toBeNull()
  expect(sliced.store.pendingDs).toBeNull()
  expect(Y.encodeStateVector(sliced)).toEqual(Y.encodeStateVector(whole))
  expect(Y.snapshotContainsUpdate(Y.snapshot(sliced), update)).toBe(true)
  for (const doc of [whole, sliced]) {
    doc.getMap('m')
    doc.getArray('a')
    doc.getText('t')
    doc.getXmlFragment('x')
  }
  for (const name of ['m', 'a', 't', 'x'])
    expect(sliced.share.get(name)?.toJSON()).toEqual(whole.share.get(name)?.toJSON())
  // Deletions too: both stores encode to the same bytes.
  expect(Y.encodeStateAsUpdate(sliced)).toEqual(Y.encodeStateAsUpdate(whole))
}

function busyDoc(clientID: number) {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const m = doc.getMap('m')
  const a = doc.getArray<unknown>('a')
  const t = doc.getText('t')
  for (let i = 0; i < 300; i++) {
    m.set(`k${i % 40}`, i) // overwrites: deletions
    const nested = new Y.Map<unknown>()
    nested.set('n', i)
    a.push([nested, `s${i}`])
    t.insert(Math.floor(t.length / 2), `w${i} `)
  }
  a.delete(10, 50)
  t.delete(5, 100)
  return doc
}

describe('sliceUpdate', () => {
  it('cuts a busy multi-client update into slices that rebuild the same document', () => {
    const a = busyDoc(1)
    const b = busyDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    b.getArray('a').delete(0, 100) // deletes across both clients' items
    const update = Y.encodeStateAsUpdate(b)
    const { slices, structs, deletes } = sliceUpdate(update, 50)
    expect(structs).toBeGreaterThan(1000)
    expect(deletes).toBeGreaterThan(0)
    expect(slices.length).toBeGreaterThan(structs / 50)
    for (const slice of slices) expect(Y.decodeUpdate(slice).structs.length).toBeLessThanOrEqual(50)
    expectSameDoc(update, slices)
  })

  it('keeps merged updates with gaps (Skip structs), applied on top of existing state', () => {
    const doc = busyDoc(7)
    const early = Y.encodeStateAsUpdate(doc)
    const atEarly = Y.encodeStateVector(doc)
    doc.getText('t').insert(0, 'middle ')
    doc.getMap('m').set('middle', 1)
    const atMiddle = Y.encodeStateVector(doc)
    const middle = Y.diffUpdate(Y.encodeStateAsUpdate(doc), atEarly)
    doc.getMap('m').set('late', 2)
    doc.getText('t').insert(3, 'late ')
    doc.getArray('a').delete(0, 20)
    const late = Y.diffUpdate(Y.encodeStateAsUpdate(doc), atMiddle)
    // The early and late parts of one client, merged: the middle is missing, hence a Skip.
    const merged = Y.mergeUpdates([early, late])
    expect(Y.decodeUpdate(merged).structs.some((s) => s instanceof Y.Skip)).toBe(true)
    expectSameDoc(merged, sliceUpdate(merged, 7).slices, middle)
  })

  it('slices a large delete set of items the update does not carry', () => {
    const doc = busyDoc(5)
    const base = Y.encodeStateAsUpdate(doc)
    const before = Y.encodeStateVector(doc)
    const list = doc.getArray('a')
    doc.transact(() => {
      for (let i = list.length - 1; i >= 0; i -= 3) list.delete(i, 1)
    })
    const deletions = Y.diffUpdate(Y.encodeStateAsUpdate(doc), before)
    const { slices, structs, deletes } = sliceUpdate(deletions, 20)
    expect(structs).toBe(0)
    expect(deletes).toBeGreaterThan(100)
    expect(slices.length).toBeGreaterThanOrEqual(deletes / 20)
    expectSameDoc(deletions, slices, base)
  })

  it('slices a tree thousands deep', () => {
    const doc = new Y.Doc()
    doc.transact(() => {
      let parent: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment('x')
      for (let i = 0; i < 3000; i++) {
        const child = new Y.XmlElement('d')
        parent.insert(0, [child])
        parent = child
      }
    })
    const update = Y.encodeStateAsUpdate(doc)
    const { slices } = sliceUpdate(update, 100)
    expect(slices.length).toBeGreaterThanOrEqual(30)
    const sliced = new Y.Doc()
    for (const slice of slices) Y.applyUpdate(sliced, slice)
    expect(Y.encodeStateVector(sliced)).toEqual(Y.encodeStateVector(doc))
  })

  it('refuses what does not decode', () => {
    expect(() => sliceUpdate(new Uint8Array([1, 200, 3, 4, 5]), 10)).toThrow()
  })
})

describe('UpdateWorker slicing (worker thread)', () => {
  it('slices in a worker, and refuses garbage without dying', async () => {
    const slicer = new UpdateWorker(100)
    try {
      const update = Y.encodeStateAsUpdate(busyDoc(3))
      await expect(slicer.slice(new Uint8Array([1, 200, 3]))).rejects.toThrow()
      const slices = await slicer.slice(update)
      expect(slices.length).toBeGreaterThan(1)
      expectSameDoc(update, slices)
    } finally {
      await slicer.close()
    }
  })
})

describe('UpdateWorker lifetime', () => {
  it('stops its thread after a quiet spell and starts one again for the next job', async () => {
    const worker = new UpdateWorker(100, 50)
    try {
      const update = Y.encodeStateAsUpdate(busyDoc(3))
      expect(worker.running).toBe(false)
      expectSameDoc(update, await worker.slice(update))
      expect(worker.running).toBe(true)
      await vi.waitFor(() => expect(worker.running).toBe(false), { timeout: 5000, interval: 20 })
      // Jobs sent right as a thread stops are not lost to its exit.
      const [again, folded] = await Promise.all([
        worker.slice(update),
        worker.foldAndProve({ state: null, stateVector: null, updates: [update], bytes: 0 }),
      ])
      expectSameDoc(update, again)
      expect(folded?.state).toBeDefined()
    } finally {
      await worker.close()
    }
  })

  it('waits longer before stopping once it was needed again soon after it stopped', async () => {
    // A clock of our own: how long the thread stayed stopped is what the rule reads.
    let clock = 0
    const worker = new UpdateWorker(100, 50, 400, () => clock)
    try {
      const update = Y.encodeStateAsUpdate(busyDoc(2))
      const stopsAfterOneJob = async () => {
        await worker.slice(update)
        expect(worker.running).toBe(true)
        await vi.waitFor(() => expect(worker.running).toBe(false), { timeout: 5000, interval: 10 })
      }
      await stopsAfterOneJob()
      expect(worker.idleFor).toBe(50)
      // Needed again right away: stopped too early, so it waits twice as long next time.
      await stopsAfterOneJob()
      expect(worker.idleFor).toBe(100)
      await stopsAfterOneJob()
      expect(worker.idleFor).toBe(200)
      // Stopped for longer than six of its idle spells: back to the base.
      clock += 200 * 6
      await stopsAfterOneJob()
      expect(worker.idleFor).toBe(50)
    } finally {
      await worker.close()
    }
  })
})
