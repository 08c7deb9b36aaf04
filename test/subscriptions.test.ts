/**
 * `unsubscribe {stream}` on the live socket (PROTOCOL.md "Requests"): that stream's events stop
 * arriving; the session's other subscriptions carry on.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createTask } from '../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

describe('unsubscribe', () => {
  it('stops the events of one stream while another subscribed stream keeps delivering', async () => {
    const t = await startTestServer()
    const [a, b] = [await t.createBoard('A'), await t.createBoard('B')]
    const [streamA, streamB] = [`board:${a}`, `board:${b}`]
    const docA = new Y.Doc()
    const docB = new Y.Doc()
    await Promise.all([synced(t.provider(a, docA)), synced(t.provider(b, docB))])
    const task = (doc: Y.Doc, id: string) =>
      createTask(doc, { id, title: id, order: 'a0', createdBy: 'local' })
    const lastSeq = async (stream: string) =>
      (await t.api<{ lastSeq: number }>(`/api/events?stream=${stream}&limit=1`)).body.lastSeq

    const client = await liveClient(t)
    await client.hello()
    for (const stream of [streamA, streamB])
      expect(await client.request({ type: 'subscribe', stream })).toMatchObject({ ok: true })
    task(docA, 'a1')
    task(docB, 'b1')
    await eventually(() => {
      expect(client.events(streamA).map((e) => e.seq)).toEqual([1])
      expect(client.events(streamB).map((e) => e.seq)).toEqual([1])
    })

    expect(await client.request({ type: 'unsubscribe', stream: streamA })).toMatchObject({
      ok: true,
      result: { stream: streamA },
    })
    // A's next event is emitted (it is in the log) before B's, on the same socket...
    task(docA, 'a2')
    await eventually(async () => expect(await lastSeq(streamA)).toBe(2))
    task(docB, 'b2')
    // ...so once B's arrives, A's would have arrived before it.
    await eventually(() => expect(client.events(streamB).map((e) => e.seq)).toEqual([1, 2]))
    expect(client.events(streamA).map((e) => e.seq)).toEqual([1])

    // Subscribing again resumes A from where it stopped.
    await client.request({ type: 'subscribe', stream: streamA, afterSeq: 1 })
    await eventually(() => expect(client.events(streamA).map((e) => e.seq)).toEqual([1, 2]))
    task(docA, 'a3')
    await eventually(() => expect(client.events(streamA).map((e) => e.seq)).toEqual([1, 2, 3]))
  })
})
