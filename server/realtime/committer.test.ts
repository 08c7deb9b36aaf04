/**
 * The group committer on a small in-memory store: what shares a transaction, what waits for
 * the next one, in which order listeners hear about it, and what a failed transaction costs.
 */
import { describe, expect, it } from 'vitest'
import type { CompactResult, DocStore, DocUpdate, StoredDoc } from '../storage/doc-store.ts'
import { GroupCommitter } from './committer.ts'

/** Lets every callback queued so far with setImmediate (the committer's own turn) run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** An in-memory DocStore whose appends can be held open, and failed, one batch at a time. */
class MemoryStore implements DocStore {
  /** Every batch handed to `append`, in call order, whatever became of it. */
  readonly batches: string[][] = []
  /** What was committed, per board. */
  readonly rows = new Map<string, Uint8Array[]>()
  /** Calls to `append` that have not settled yet. */
  inFlight = 0
  private readonly gates: Array<{ settle: (error?: unknown) => void; gate: Promise<void> }> = []
  /** When set, the next append waits for the test to open or fail it (see `hold`). */
  holding = false
  /** When set, the next append throws this synchronously. */
  throwNext: unknown = undefined

  async append(updates: readonly DocUpdate[]): Promise<void> {
    this.batches.push(updates.map(label))
    if (this.throwNext !== undefined) {
      const error = this.throwNext
      this.throwNext = undefined
      throw error
    }
    this.inFlight++
    try {
      if (this.holding) {
        let settle!: (error?: unknown) => void
        const gate = new Promise<void>((resolve, reject) => {
          settle = (error) => (error === undefined ? resolve() : reject(error))
        })
        this.gates.push({ settle, gate })
        await gate
      }
      for (const update of updates) {
        const rows = this.rows.get(update.boardId) ?? []
        rows.push(update.data)
        this.rows.set(update.boardId, rows)
      }
    } finally {
      this.inFlight--
    }
  }

  /** Commits the oldest held batch, or fails it with `error`. */
  open(error?: unknown): void {
    const held = this.gates.shift()
    if (!held) throw new Error('no batch is held')
    held.settle(error)
  }

  committed(boardId = 'b'): string[] {
    return (this.rows.get(boardId) ?? []).map((data) => new TextDecoder().decode(data))
  }

  async load(): Promise<StoredDoc> {
    return { state: null, stateVector: null, updates: [], bytes: 0 }
  }

  async compact(): Promise<CompactResult> {
    return { compacted: false, folded: 0, bytesBefore: 0, bytesAfter: 0, reason: 'not here' }
  }

  async pendingUpdates(boardId: string): Promise<number> {
    return this.rows.get(boardId)?.length ?? 0
  }
  async probe(): Promise<void> {}
}

const label = (update: DocUpdate) => new TextDecoder().decode(update.data)
const update = (name: string, boardId = 'b'): DocUpdate => ({
  boardId,
  data: new TextEncoder().encode(name),
  userId: 'u',
})

/** A committer with a log of what its listeners heard, in the order they heard it. */
function setup() {
  const store = new MemoryStore()
  const observed: Array<{ seconds: number; updates: number }> = []
  const committer = new GroupCommitter(store, {
    observeCommit: (seconds, updates) => observed.push({ seconds, updates }),
  })
  const heard: Array<{ name: string; error: Error | null; committedThen: string[] }> = []
  const enqueue = (name: string, boardId = 'b') =>
    committer.enqueue(update(name, boardId), {
      committed: (error) =>
        // What the store held when the listener was called: "durable" must be true by then.
        heard.push({ name, error, committedThen: store.committed(boardId) }),
    })
  return { store, committer, heard, observed, enqueue }
}

describe('GroupCommitter', () => {
  it('puts the updates enqueued in one event-loop turn into one append', async () => {
    const { store, committer, heard, observed, enqueue } = setup()
    enqueue('a1')
    enqueue('a2', 'other-board')
    enqueue('a3')
    expect(committer.pending).toBe(3)
    expect(store.batches).toEqual([]) // nothing is written in the turn that enqueued

    await committer.drain()

    expect(store.batches).toEqual([['a1', 'a2', 'a3']])
    expect(observed).toEqual([{ seconds: expect.any(Number), updates: 3 }])
    expect(heard.map((h) => [h.name, h.error])).toEqual([
      ['a1', null],
      ['a2', null],
      ['a3', null],
    ])
    // Every listener was called after the whole batch was in the store.
    expect(heard[0]?.committedThen).toEqual(['a1', 'a3'])
    expect(committer.pending).toBe(0)
  })

  it('commits one batch at a time; what arrives during a flush goes into the next batch, heard in enqueue order', async () => {
    const { store, committer, heard, enqueue } = setup()
    store.holding = true
    enqueue('a')
    await nextTurn()
    expect(store.batches).toEqual([['a']])
    expect(store.inFlight).toBe(1)

    // Two more turns' worth of updates while the first batch is still being written.
    enqueue('b')
    await nextTurn()
    enqueue('c')
    await nextTurn()
    expect(store.batches).toEqual([['a']]) // no second append while the first is in flight
    expect(store.inFlight).toBe(1)
    expect(committer.pending).toBe(2)
    expect(heard).toEqual([]) // nobody is told anything before their batch is durable

    store.open()
    await expect.poll(() => store.batches).toEqual([['a'], ['b', 'c']])
    expect(heard.map((h) => h.name)).toEqual(['a'])
    expect(store.inFlight).toBe(1)

    store.open()
    await committer.drain()
    expect(heard.map((h) => [h.name, h.error, h.committedThen])).toEqual([
      ['a', null, ['a']],
      ['b', null, ['a', 'b', 'c']],
      ['c', null, ['a', 'b', 'c']],
    ])
  })

  it('tells every listener of a failed batch the error; the next batch still commits', async () => {
    const { store, committer, heard, observed, enqueue } = setup()
    store.holding = true
    enqueue('a')
    enqueue('b')
    await nextTurn()
    enqueue('c') // arrives while [a, b] is being written: the next batch
    await nextTurn()

    const diskFull = new Error('disk full')
    store.open(diskFull)
    await expect.poll(() => store.batches).toEqual([['a', 'b'], ['c']])
    expect(heard.map((h) => [h.name, h.error])).toEqual([
      ['a', diskFull],
      ['b', diskFull],
    ])

    store.open()
    await committer.drain()
    expect(heard.map((h) => [h.name, h.error])).toEqual([
      ['a', diskFull],
      ['b', diskFull],
      ['c', null],
    ])
    expect(store.committed()).toEqual(['c'])
    // Only the batch that was written counts as a commit.
    expect(observed.map((o) => o.updates)).toEqual([1])
  })

  it('turns a synchronous throw of a non-Error into an Error for every listener of the batch', async () => {
    const { store, committer, heard, enqueue } = setup()
    store.throwNext = 'SQLITE_IOERR'
    enqueue('a')
    enqueue('b')
    await committer.drain()
    expect(heard.map((h) => h.name)).toEqual(['a', 'b'])
    for (const { error } of heard) {
      expect(error).toBeInstanceOf(Error)
      expect(error?.message).toBe('SQLITE_IOERR')
    }
    enqueue('c')
    await committer.drain()
    expect(heard.map((h) => [h.name, h.error === null])).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
    ])
    expect(store.committed()).toEqual(['c'])
  })

  it('drain() resolves only once everything queued, before and during the wait, is committed', async () => {
    const { store, committer, heard, enqueue } = setup()
    await committer.drain() // idle: resolves at once

    store.holding = true
    enqueue('a')
    let drained = false
    const drain = committer.drain().then(() => {
      drained = true
      // At the moment drain resolves, everything is durable and every listener was told.
      return { committed: store.committed(), heard: heard.map((h) => h.name) }
    })
    await nextTurn()
    expect(store.inFlight).toBe(1)
    enqueue('b') // queued while drain() is waiting
    await nextTurn()
    expect(drained).toBe(false)

    store.open()
    await expect.poll(() => store.batches).toEqual([['a'], ['b']])
    await nextTurn()
    expect(drained).toBe(false) // [a] is committed, but [b] is still being written

    store.open()
    expect(await drain).toEqual({ committed: ['a', 'b'], heard: ['a', 'b'] })
  })

  it('tells the rest of a batch when one listener throws, and reports the store’s health', async () => {
    const store = new MemoryStore()
    const outcomes: string[] = []
    const thrown: unknown[] = []
    const committer = new GroupCommitter(
      store,
      { observeCommit: () => {} },
      {
        committed: () => outcomes.push('ok'),
        failed: (error) => outcomes.push(`failed: ${(error as Error).message}`),
      },
      (error) => thrown.push(error),
    )
    const heard: string[] = []
    committer.enqueue(update('a'), {
      committed: () => {
        heard.push('a')
        throw new Error('listener a broke')
      },
    })
    committer.enqueue(update('b'), { committed: () => heard.push('b') })
    await committer.drain()
    expect(heard).toEqual(['a', 'b'])
    expect(thrown).toEqual([new Error('listener a broke')])

    store.throwNext = new Error('disk full')
    committer.enqueue(update('c'), { committed: () => {} })
    await committer.drain()
    committer.enqueue(update('d'), { committed: () => {} })
    await committer.drain()
    expect(outcomes).toEqual(['ok', 'failed: disk full', 'ok'])
  })
})
