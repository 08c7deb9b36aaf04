/**
 * A real Loupe server on port 0 with a temporary data folder, and real clients for it: fetch
 * for HTTP, the stock y-websocket WebsocketProvider, and raw `ws` sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { vi } from 'vitest'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { defaultConfig, type Config } from '../server/config.ts'
import { createLoupeServer, type LoupeServer, type ServerOptions } from '../server/server.ts'
import type { NodeFactory } from './cluster/test-node.ts'

type Overrides = Omit<Partial<Config>, 'limits'> & {
  limits?: Partial<Config['limits']>
  /** Replaces the board store (see ServerOptions.docStore). */
  docStore?: ServerOptions['docStore']
  /**
   * Makes the server a cluster node (test/cluster/test-node.ts: newCluster, joinCluster);
   * null keeps it on SQLite even under LOUPE_TEST_CLUSTER=1.
   */
  node?: NodeFactory | null
}

export interface TestServer {
  server: LoupeServer
  url: string
  docUrl: string
  dataDir: string
  config: Config
  /** Every log line the server wrote, as parsed JSON. */
  logs: Array<Record<string, unknown>>
  api<T = unknown>(
    path: string,
    init?: RequestInit & { json?: unknown; token?: string },
  ): Promise<{ status: number; body: T; headers: Headers }>
  /** Creates a board (and a workspace on first use); returns its id. */
  createBoard(title?: string, id?: string): Promise<string>
  provider(
    boardId: string,
    doc?: Y.Doc,
    options?: { connect?: boolean; token?: string },
  ): WebsocketProvider
  /** A raw socket to a board; `query` is appended as is (e.g. `?token=...`). */
  raw(boardId: string, query?: string): Promise<WebSocket>
  close(): Promise<void>
}

const cleanups: Array<() => Promise<void> | void> = []

/** Runs every cleanup registered by the test helpers (call from afterEach). */
export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()?.()
}

/** Registers `work` to run after the test, before the folders of tempDir are removed. */
export function afterTest(work: () => Promise<void> | void): void {
  cleanups.unshift(work)
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-test-'))
  cleanups.unshift(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export async function startTestServer(overrides: Overrides = {}): Promise<TestServer> {
  const { docStore, node: nodeFactory, ...settings } = overrides
  const dataDir = settings.dataDir ?? tempDir()
  const config = defaultConfig({
    port: 0,
    host: '127.0.0.1',
    auth: false,
    logLevel: 'debug',
    roomIdleMs: 0,
    ...settings,
    dataDir,
  })
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line))
      done()
    },
  })
  const log = pino({ level: config.logLevel }, sink)
  // LOUPE_TEST_CLUSTER=1: the server is a cluster node on PostgreSQL and Redis (test-node.ts);
  // =2: and a second node of the same cluster takes every other document socket, so clients of
  // one board are spread over both (the second relays to the owner). A test that wraps the
  // SQLite board store (docStore) stays on SQLite: it tests that store.
  const switched = process.env.LOUPE_TEST_CLUSTER
  const cluster = nodeFactory === undefined && !docStore && (switched === '1' || switched === '2')
  const testNodes = cluster || nodeFactory ? await import('./cluster/test-node.ts') : null
  const openNode =
    nodeFactory === null ? null : (nodeFactory ?? (cluster ? testNodes?.newCluster() : null))
  const node = openNode ? await openNode(config, log) : null
  if (node) cleanups.unshift(() => node.drop())
  const server = createLoupeServer(node?.config ?? config, {
    log,
    ...(docStore ? { docStore } : {}),
    ...(node ? { backend: node.backend } : {}),
  })
  const port = await server.listen()
  const url = `http://127.0.0.1:${port}`
  const docUrl = `ws://127.0.0.1:${port}/ws/doc`
  // The second node shares the data folder (its signing secret, the media) as nodes share them.
  const second =
    node && cluster && switched === '2' && testNodes
      ? await (async () => {
          const joined = await testNodes.joinCluster(node)(node.config, log)
          const other = createLoupeServer(joined.config, { log, backend: joined.backend })
          return { server: other, docUrl: `ws://127.0.0.1:${await other.listen()}/ws/doc` }
        })()
      : null
  const spread = new Map<string, number>()
  /** Whether a board's next document socket goes to the second node: every other one, if any. */
  const toSecond = (boardId: string) => {
    const n = spread.get(boardId) ?? 0
    spread.set(boardId, n + 1)
    return second !== null && n % 2 === 1
  }
  /** Boards a socket was sent to on the first node. */
  const onFirst = new Set<string>()
  /**
   * A socket for the second node waits until the first runs the board, if it was sent a socket
   * of it: the first node stays the owner, whose room tests may look into; the second relays.
   */
  const firstRuns = (boardId: string) =>
    onFirst.has(boardId)
      ? vi
          .waitFor(
            () => {
              if (!server.rooms.loaded(boardId)) throw new Error('not loaded yet')
            },
            { timeout: 5000, interval: 10 },
          )
          .catch(() => undefined)
      : Promise.resolve()
  const route = (boardId: string) => {
    const second_ = toSecond(boardId)
    if (!second_) onFirst.add(boardId)
    return {
      url: second_ && second ? second.docUrl : docUrl,
      ready: second_ ? firstRuns(boardId) : null,
    }
  }
  const providers: WebsocketProvider[] = []
  const sockets: WebSocket[] = []
  let workspaceId: string | undefined
  let closed = false

  const api: TestServer['api'] = async (path, init = {}) => {
    const { json, token, ...rest } = init
    const response = await fetch(url + path, {
      ...rest,
      headers: {
        ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...rest.headers,
      },
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    })
    const type = response.headers.get('content-type') ?? ''
    const body = type.includes('json')
      ? await response.json()
      : new Uint8Array(await response.arrayBuffer())
    return { status: response.status, body, headers: response.headers }
  }

  const test: TestServer = {
    server,
    url,
    docUrl,
    dataDir,
    config: node?.config ?? config,
    logs,
    api,
    async createBoard(title = 'Board', id) {
      if (!workspaceId) {
        const created = await api<{ workspace: { id: string } }>('/api/workspaces', {
          method: 'POST',
          json: { name: 'Test' },
        })
        workspaceId = created.body.workspace.id
      }
      const { status, body } = await api<{ board: { id: string } }>(
        `/api/workspaces/${workspaceId}/boards`,
        {
          method: 'POST',
          json: id ? { title, id } : { title },
        },
      )
      if (status !== 201) throw new Error(`board not created: ${status} ${JSON.stringify(body)}`)
      return body.board.id
    },
    provider(boardId, doc = new Y.Doc(), options = {}) {
      const { url: at, ready } = route(boardId)
      const connect = options.connect ?? true
      const provider = new WebsocketProvider(at, boardId, doc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
        maxBackoffTime: 200,
        connect: connect && !ready,
        params: options.token ? { token: options.token } : {},
      })
      if (connect && ready) void ready.then(() => !closed && provider.connect())
      providers.push(provider)
      return provider
    },
    async raw(boardId, query = '') {
      const { url: at, ready } = route(boardId)
      await ready
      const ws = new WebSocket(`${at}/${boardId}${query}`)
      sockets.push(ws)
      await new Promise((resolve, reject) => {
        ws.once('open', resolve)
        ws.once('error', reject)
      })
      return ws
    },
    async close() {
      if (closed) return
      closed = true
      for (const provider of providers) provider.destroy()
      for (const ws of sockets) ws.terminate()
      await second?.server.close()
      await server.close()
    },
  }
  cleanups.push(() => test.close())
  return test
}

/**
 * Resolves once the provider is synced with the server. Fails after `timeout` ms saying which
 * board and how its socket ended, so a sync that never comes reads as that, not as the test's
 * own timeout with no word of what it waited for.
 */
export function synced(provider: WebsocketProvider, timeout = 20_000): Promise<void> {
  if (provider.synced) return Promise.resolve()
  const closes: string[] = []
  const onClose = (event: CloseEvent | null) => {
    closes.push(event ? `${event.code} ${event.reason}`.trim() : 'no close frame')
  }
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      done()
      const seen = closes.length > 0 ? `socket closes: ${closes.slice(-5).join(', ')}` : 'no close'
      reject(new Error(`${provider.url} not synced within ${timeout} ms (${seen})`))
    }, timeout)
    const onSync = (state: boolean) => {
      if (!state) return
      done()
      resolve()
    }
    const done = () => {
      clearTimeout(timer)
      provider.off('sync', onSync)
      provider.off('connection-close', onClose)
    }
    provider.on('sync', onSync)
    provider.on('connection-close', onClose)
  })
}

/** Resolves with the close code a raw socket receives. */
export function closeCode(ws: WebSocket): Promise<number> {
  if (ws.readyState === ws.CLOSED) return Promise.reject(new Error('already closed'))
  return new Promise((resolve) => ws.once('close', (code: number) => resolve(code)))
}

/** Waits until `check` passes (it throws until then). */
export function eventually<T>(check: () => T | Promise<T>, timeout = 5000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 })
}
