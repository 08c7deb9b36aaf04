/**
 * Cluster faults with nodes as child processes (docs/cluster.md, "What each fault does"):
 * SIGKILL of a board's owner in the middle of a stream of edits, SIGSTOP of an owner past its
 * lease and SIGCONT, and locks and event streams written through three nodes at once.
 */
import { WebSocket } from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import pg from 'pg'
import * as syncProtocol from 'y-protocols/sync'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { board, createTask } from '../../shared/schema/board.ts'
import { eventually, synced } from '../harness.ts'
import { liveClient } from '../live-client.ts'
import { processCluster, type NodeProcess, type ProcessCluster } from './node-process.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis, startRedis, type PrivateRedis } from './redis.ts'

const postgres = await testPostgres()
const LEASE_MS = 1000

const providers: WebsocketProvider[] = []
function provider(node: NodeProcess, boardId: string, doc: Y.Doc): WebsocketProvider {
  const made = new WebsocketProvider(node.docUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  })
  providers.push(made)
  return made
}

async function api<T>(node: NodeProcess, path: string, json?: unknown, token?: string) {
  const response = await fetch(node.url + path, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  return { status: response.status, body: (await response.json()) as T }
}

async function newBoard(node: NodeProcess): Promise<string> {
  // A 503 (storage busy: a new PostgreSQL connection slow to open on a loaded machine) says
  // "try again", as a client would; any other answer is final, and says what the node logged.
  let ws = await api<{ workspace: { id: string } }>(node, '/api/workspaces', { name: 'W' })
  await eventually(async () => {
    if (ws.status === 503) ws = await api(node, '/api/workspaces', { name: 'W' })
    expect(ws.status, JSON.stringify(ws.body) + node.errors.join('')).not.toBe(503)
  }, 10_000)
  expect(ws.status, JSON.stringify(ws.body) + node.errors.join('')).toBe(201)
  const created = await api<{ board: { id: string } }>(
    node,
    `/api/workspaces/${ws.body.workspace.id}/boards`,
    { title: 'B' },
  )
  expect(created.status).toBe(201)
  return created.body.board.id
}

async function rows<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

/** Updates of an older epoch stored after one of a newer epoch: what fencing forbids. */
const zombies = (url: string, boardId: string) =>
  rows(
    url,
    `SELECT a.seq FROM doc_updates a JOIN doc_updates b
       ON a.board_id = b.board_id AND b.epoch > a.epoch AND b.seq < a.seq WHERE a.board_id = $1`,
    [boardId],
  )

const titles = (doc: Y.Doc) => [...board(doc).tasks.keys()].sort()

// Each test starts two or three node processes (each loads the server through tsx) and drives
// them over HTTP, on two cores other suites share: 13 s alone, past 30 s on a loaded machine.
// The bounds that matter (the move within the lease) are asserted inside the tests.
const slow = { timeout: 90_000 }

describe.skipIf(!postgres || skipWithoutRedis)('cluster nodes as processes', slow, () => {
  let redis: PrivateRedis
  let cluster: ProcessCluster | null = null
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    for (const made of providers.splice(0)) made.destroy()
    await cluster?.close()
    cluster = null
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('kill -9 of the owner mid-stream loses nothing a client saw; the board moves within the lease', async () => {
    if (!postgres) return
    cluster = await processCluster(postgres, redis, { leaseMs: LEASE_MS })
    const [a, b] = await Promise.all([cluster.start('a'), cluster.start('b')])
    const boardId = await newBoard(a)
    const writer = new Y.Doc()
    await synced(provider(a, boardId, writer))
    const reader = new Y.Doc()
    const readerProvider = provider(b, boardId, reader)
    await synced(readerProvider)

    // A stream of edits on A (the owner); the reader on B sees them through A.
    let n = 0
    const stream = setInterval(() => {
      createTask(writer, { id: `t${++n}`, title: `edit ${n}`, order: `a${n}`, createdBy: 'local' })
    }, 5)
    try {
      await eventually(() => expect(board(reader).tasks.size).toBeGreaterThanOrEqual(20), 10_000)
      await a.kill()
    } finally {
      clearInterval(stream)
    }
    const killedAt = performance.now()
    const seen = titles(reader)
    // Neither client may bring back what it holds: only the store counts.
    for (const made of providers.splice(0)) made.destroy()

    const after = new Y.Doc()
    await synced(provider(b, boardId, after))
    const movedMs = performance.now() - killedAt
    if (process.env.LOUPE_TEST_FIGURES) console.log({ movedMs, seen: seen.length })
    expect(titles(after)).toEqual(expect.arrayContaining(seen))
    expect(movedMs).toBeLessThan(LEASE_MS + 4000)
    const [owner] = await rows<{ owner_node: string }>(
      cluster.databaseUrl,
      'SELECT owner_node FROM boards WHERE id = $1',
      [boardId],
    )
    expect(owner?.owner_node).toBe('b')
    expect(await zombies(cluster.databaseUrl, boardId)).toEqual([])
  })

  it('a SIGSTOPped owner, woken after its board moved, neither commits nor relays', async () => {
    if (!postgres) return
    cluster = await processCluster(postgres, redis, { leaseMs: LEASE_MS })
    const [a, b] = await Promise.all([cluster.start('a'), cluster.start('b')])
    const boardId = await newBoard(a)
    const writer = new Y.Doc()
    await synced(provider(a, boardId, writer))
    createTask(writer, { id: 'before', title: 'before', order: 'a0', createdBy: 'local' })

    // A watcher on A, a raw socket: it asks for everything and applies what A sends it.
    const watched = new Y.Doc()
    const watcher = new WebSocket(`${a.docUrl}/${boardId}`)
    watcher.binaryType = 'arraybuffer'
    watcher.on('message', (data: ArrayBuffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data))
      if (decoding.readVarUint(decoder) !== 0) return
      syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), watched, 'server')
    })
    const watcherClosed = new Promise<number>((resolve) => watcher.once('close', resolve))
    await new Promise((resolve) => watcher.once('open', resolve))
    const ask = encoding.createEncoder()
    encoding.writeVarUint(ask, 0)
    syncProtocol.writeSyncStep1(ask, watched)
    watcher.send(encoding.toUint8Array(ask))
    await eventually(() => expect(titles(watched)).toEqual(['before']))

    a.stop()
    // B takes the board once A's lease lapses, and serves everything A committed.
    const moved = new Y.Doc()
    const movedProvider = provider(b, boardId, moved)
    await eventually(() => expect(titles(moved)).toEqual(['before']), 15_000)
    await synced(movedProvider)
    createTask(moved, { id: 'after', title: 'after', order: 'a1', createdBy: 'local' })

    // A client of the stopped A edits; the bytes wait in A's socket until it wakes.
    createTask(writer, { id: 'zombie', title: 'zombie', order: 'a2', createdBy: 'local' })
    a.cont()
    // It finds the board gone (its lease, or the fence refusing its commit): 1012, not a
    // storage failure.
    expect(await watcherClosed).toBe(CloseCode.serverStopping)
    // A relayed nothing of the edit it took after waking, and stored nothing under its epoch.
    expect(titles(watched)).toEqual(['before'])
    expect(await zombies(cluster.databaseUrl, boardId)).toEqual([])
    // The edit is not lost: its client reconnects and B (through A's relay, or directly) stores it.
    await eventually(() => expect(titles(moved)).toEqual(['after', 'before', 'zombie']), 15_000)
    expect(await zombies(cluster.databaseUrl, boardId)).toEqual([])
  })

  it('a node killed and restarted under its id resumes its clients’ live sessions, their locks with them', async () => {
    if (!postgres) return
    cluster = await processCluster(postgres, redis, { env: { LOUPE_HEARTBEAT_MS: '10000' } })
    const first = await cluster.start('a')
    const boardId = await newBoard(first)
    const live = await liveClient(first)
    const sessionId = (await live.hello()).sessionId as string
    const key = `${boardId}/task/t1`
    expect(await live.request({ type: 'lock.acquire', key })).toMatchObject({ ok: true })

    await first.kill()
    // The same node id, a new process: the session (alive in Redis for 2 heartbeats) resumes.
    const again = await cluster.start('a')
    const back = await liveClient(again)
    expect(await back.hello(sessionId)).toMatchObject({ sessionId, resumed: true })
    const locks = await api<{ locks: Array<{ key: string; sessionId: string | null }> }>(
      again,
      `/api/locks?board=${boardId}`,
    )
    expect(locks.body.locks).toEqual([expect.objectContaining({ key, sessionId })])
    back.ws.close()
  })

  it('locks have one holder across three nodes and tokens only grow; events from all read gap-free on each', async () => {
    if (!postgres) return
    const secret = 'a-cluster-wide-secret-of-32-chars!'
    cluster = await processCluster(postgres, redis, {
      env: { LOUPE_AUTH: 'on', LOUPE_JWT_SECRET: secret, LOUPE_SETUP_CODE: 'open-sesame-42' },
    })
    const nodes = await Promise.all(['a', 'b', 'c'].map((name) => cluster?.start(name)))
    const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess]
    const setup = await api<{ accessToken: string }>(a, '/api/setup', {
      code: 'open-sesame-42',
      name: 'Olive',
      password: 'owner-password',
    })
    expect(setup.status).toBe(201)
    const owner = setup.body.accessToken
    const me = await api<{ workspaces: Array<{ id: string }> }>(a, '/api/me', undefined, owner)
    const workspaceId = me.body.workspaces[0]?.id as string
    const boardRes = await api<{ board: { id: string } }>(
      a,
      `/api/workspaces/${workspaceId}/boards`,
      { title: 'Locks' },
      owner,
    )
    const boardId = boardRes.body.board.id
    const tokens: string[] = [owner]
    for (const name of ['Ed', 'Flo']) {
      const made = await api<{ code: string }>(
        b,
        `/api/workspaces/${workspaceId}/invites`,
        { role: 'editor' },
        owner,
      )
      const joined = await api<{ accessToken: string }>(
        c,
        `/api/invites/${made.body.code}/accept`,
        {
          name,
          password: `${name}-password`,
        },
      )
      tokens.push(joined.body.accessToken)
    }

    const key = `${boardId}/task/contended`
    let last = 0
    for (let round = 0; round < 25; round++) {
      const answers = await Promise.all(
        nodes.map((node, i) =>
          api<{ lock: { fencingToken: number } }>(
            node as NodeProcess,
            '/api/locks/acquire',
            { key },
            tokens[i],
          ),
        ),
      )
      const winners = answers.flatMap((answer, i) => (answer.status === 200 ? [i] : []))
      expect(winners, `round ${round}`).toHaveLength(1)
      for (const answer of answers) if (answer.status !== 200) expect(answer.status).toBe(409)
      const winner = winners[0] as number
      const token = (answers[winner]?.body.lock.fencingToken ?? 0) as number
      expect(token).toBeGreaterThan(last)
      last = token
      const released = await api(
        nodes[(winner + 1) % 3] as NodeProcess,
        '/api/locks/release',
        { key },
        tokens[winner],
      )
      expect(released.status).toBe(200)
    }

    // Every node reads the same stream, numbered without a gap, acquisitions in token order.
    const logs = await Promise.all(
      nodes.map((node) =>
        api<{
          events: Array<{ seq: number; event: { type: string; data: { fencingToken?: number } } }>
        }>(node as NodeProcess, `/api/events?stream=board:${boardId}&limit=5000`, undefined, owner),
      ),
    )
    const first = logs[0]?.body.events ?? []
    expect(first.map((e) => e.seq)).toEqual(first.map((_, i) => i + 1))
    for (const log of logs) expect(log.body.events).toEqual(first)
    const granted = first.filter((e) => e.event.type === 'lock.acquired')
    expect(granted).toHaveLength(25)
    const grantedTokens = granted.map((e) => e.event.data.fencingToken as number)
    expect(grantedTokens).toEqual([...grantedTokens].sort((x, y) => x - y))
  })
})
