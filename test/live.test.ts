import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { createTask, updateTask } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

describe('live socket handshake', () => {
  it('welcomes a client that says hello in v1 and refuses other versions with 4426', async () => {
    const t = await startTestServer()
    const client = await liveClient(t)
    const welcome = await client.hello()
    expect(welcome).toMatchObject({
      type: 'welcome',
      v: 1,
      heartbeatMs: t.config.heartbeatMs,
      resumed: false,
    })
    expect(welcome.sessionId).toEqual(expect.any(String))

    for (const v of [0, 2]) {
      const other = await liveClient(t)
      other.send({ type: 'hello', v })
      expect(await other.closed).toBe(CloseCode.unsupportedVersion)
    }
  })

  it('answers bad messages with an error and stays open; a flood gets 4429', async () => {
    const t = await startTestServer({ limits: { messagesPerSecond: 20 } })
    const client = await liveClient(t)
    client.send({ type: 'subscribe', id: 'early', stream: 'system' })
    expect(await client.next((m) => m.type === 'error')).toMatchObject({
      error: { code: 'hello_first' },
    })
    await client.hello()
    client.ws.send('{not json')
    expect(
      await client.next(
        (m) => m.type === 'error' && (m.error as { message: string }).message.includes('JSON'),
      ),
    ).toBeTruthy()
    const unknown = await client.request({ type: 'teleport' })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const badStream = await client.request({ type: 'subscribe', stream: '../etc' })
    expect(badStream).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    const badType = await client.request({
      type: 'subscribe',
      stream: 'system',
      types: ['nope.nope'],
    })
    expect(badType).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(client.ws.readyState).toBe(client.ws.OPEN)
    for (let i = 0; i < 100; i++) client.send({ type: 'pong', t: i })
    expect(await client.closed).toBe(CloseCode.rateLimited)
  })

  it('refuses a missing token with 4401 when auth is on', async () => {
    const t = await authServer()
    const client = await liveClient(t)
    expect(await client.closed).toBe(CloseCode.unauthorized)
  })

  it('closes a session that misses three pings with 4408; it can resume within one more interval', async () => {
    const t = await startTestServer({ heartbeatMs: 100 })
    const boardId = await t.createBoard()
    const silent = await liveClient(t, { autoPong: false })
    const { sessionId } = await silent.hello()
    await silent.request({ type: 'subscribe', stream: `board:${boardId}` })
    expect(await silent.closed).toBe(CloseCode.heartbeatMissed)
    expect(silent.messages.filter((m) => m.type === 'ping').length).toBe(3)

    // Resumed right away: the subscription carries over without subscribing again.
    const back = await liveClient(t)
    expect(await back.hello(sessionId as string)).toMatchObject({ resumed: true, sessionId })
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    createTask(doc, { id: 't1', title: 'After resume', order: 'a0', createdBy: 'local' })
    expect(await back.next((m) => m.type === 'event')).toMatchObject({
      event: { type: 'task.created' },
    })

    // Gone for longer than the window: the session ends, and the same id starts a new one.
    back.ws.close()
    await back.closed
    await eventually(async () => {
      const metrics = Buffer.from((await t.api<Uint8Array>('/metrics')).body).toString()
      expect(metrics).toMatch(/^loupe_live_sessions 0$/m)
    })
    const late = await liveClient(t)
    expect(await late.hello(sessionId as string)).toMatchObject({ resumed: false })
  })
})

describe('event streams', () => {
  it('numbers events +1 per stream and resumes after a disconnect with no gap and no duplicate', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const stream = `board:${boardId}`
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    const first = await liveClient(t)
    await first.hello()
    const reply = await first.request({ type: 'subscribe', stream, afterSeq: 0 })
    expect(reply).toMatchObject({ ok: true, result: { stream, lastSeq: 0 } })
    const epoch = (reply.result as { epoch: string }).epoch

    for (let i = 0; i < 150; i++)
      createTask(doc, { id: `a${i}`, title: `task ${i}`, order: `a${i}`, createdBy: 'local' })
    await eventually(() => expect(first.events(stream)).toHaveLength(150))
    first.ws.close()
    await first.closed

    for (let i = 0; i < 150; i++) updateTask(doc, `a${i}`, { status: 'done' })
    await eventually(async () => {
      const log = await t.api<{ lastSeq: number }>(`/api/events?stream=${stream}&after=0&limit=1`)
      expect(log.body.lastSeq).toBe(300)
    })

    const second = await liveClient(t)
    await second.hello()
    const resumed = await second.request({ type: 'subscribe', stream, afterSeq: 150 })
    expect(resumed).toMatchObject({ ok: true, result: { epoch, lastSeq: 300 } })
    for (let i = 150; i < 200; i++) updateTask(doc, `a${i - 150}`, { status: 'review' })
    await eventually(() => expect(second.events(stream)).toHaveLength(200))

    const seqs = [...first.events(stream), ...second.events(stream)].map((e) => e.seq)
    expect(seqs).toEqual(Array.from({ length: 350 }, (_, i) => i + 1))
    expect(
      second
        .events(stream)
        .slice(0, 150)
        .every((e) => e.event.type === 'task.status_changed'),
    ).toBe(true)

    const page = await t.api<{ events: Array<{ seq: number }>; lastSeq: number; epoch: string }>(
      `/api/events?stream=${stream}&after=100&limit=50`,
    )
    expect(page.body.events.map((e) => e.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 101),
    )
    expect(page.body.epoch).toBe(epoch)
  })

  it('filters by type and sends reset when the log no longer reaches back', async () => {
    const dataDir = tempDir()
    const t = await startTestServer({ dataDir })
    const boardId = await t.createBoard()
    const stream = `board:${boardId}`
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    for (let i = 0; i < 120; i++)
      createTask(doc, {
        id: `a${i}`,
        title: `t${i}`,
        order: `a${i}`,
        createdBy: 'local',
        assigneeId: i % 2 ? 'someone' : null,
      })
    await eventually(async () => {
      const log = await t.api<{ lastSeq: number }>(`/api/events?stream=${stream}&after=0&limit=1`)
      expect(log.body.lastSeq).toBe(180)
    })
    const filtered = await liveClient(t)
    await filtered.hello()
    await filtered.request({ type: 'subscribe', stream, afterSeq: 0, types: ['task.assigned'] })
    await eventually(() => expect(filtered.events(stream)).toHaveLength(60))
    expect(new Set(filtered.events(stream).map((e) => e.event.type))).toEqual(
      new Set(['task.assigned']),
    )
    await t.close()

    // Restart with a retention of 100 events per stream: the oldest 80 are pruned at start.
    const again = await startTestServer({
      dataDir,
      eventRetention: { maxAgeMs: 86_400_000, maxPerStream: 100 },
    })
    // Pruned at start (a cluster node's store answers asynchronously: wait for it).
    await eventually(() =>
      expect(again.logs).toContainEqual(
        expect.objectContaining({ msg: 'event log pruned', removed: 80 }),
      ),
    )
    const client = await liveClient(again)
    await client.hello()
    await client.request({ type: 'subscribe', stream, afterSeq: 10 })
    expect(await client.next((m) => m.type === 'reset')).toMatchObject({ stream, lastSeq: 180 })
    expect(client.events(stream)).toHaveLength(0)
    const page = await again.api<{ gap: boolean; firstSeq: number }>(
      `/api/events?stream=${stream}&after=10`,
    )
    expect(page.body).toMatchObject({ gap: true, firstSeq: 81 })
    const fine = await liveClient(again)
    await fine.hello()
    await fine.request({ type: 'subscribe', stream, afterSeq: 170 })
    await eventually(() =>
      expect(fine.events(stream).map((e) => e.seq)).toEqual([
        171, 172, 173, 174, 175, 176, 177, 178, 179, 180,
      ]),
    )
  })

  it('lets a user read only the streams of workspaces they belong to', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Private' },
    })
    const privateBoard = await createBoard(t, owner.token, other.body.workspace.id, 'private-board')
    const viewer = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
    const client = await liveClient(t, { token: viewer.token })
    await client.hello()
    expect(
      await client.request({ type: 'subscribe', stream: `workspace:${other.body.workspace.id}` }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(
      await client.request({ type: 'subscribe', stream: `board:${privateBoard}` }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await client.request({ type: 'subscribe', stream: 'system' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(
      await client.request({
        type: 'subscribe',
        stream: `workspace:${owner.workspaceId}`,
        afterSeq: 0,
      }),
    ).toMatchObject({ ok: true })
    expect(
      (await t.api(`/api/events?stream=board:${privateBoard}`, { token: viewer.token })).status,
    ).toBe(404)
    // The viewer's own join is on the stream of their workspace.
    await eventually(() =>
      expect(client.events(`workspace:${owner.workspaceId}`).map((e) => e.event.type)).toContain(
        'member.joined',
      ),
    )
  })
})

describe('commit acknowledgements', () => {
  it('tells a user when everything their connections sent to a board is on disk', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard()
    const client = await liveClient(t)
    await client.hello()
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    createTask(doc, { id: 't1', title: 'Saved?', order: 'a0', createdBy: 'local' })
    const ack = await client.next((m) => m.type === 'doc.committed')
    expect(ack.boardId).toBe(boardId)
    const committed = Y.decodeStateVector(Buffer.from(ack.stateVector as string, 'base64'))
    expect(committed.get(doc.clientID)).toBe(Y.getState(doc.store, doc.clientID))
  })
})
