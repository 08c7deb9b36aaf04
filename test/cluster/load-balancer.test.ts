/**
 * The load balancer's configuration as shipped (deploy/haproxy.cfg, run by Debian's haproxy)
 * in front of two cluster nodes: only its addresses are changed, to free loopback ports. It
 * must send every socket of a board to one node, whatever the query (?token=) says, spread the
 * boards over the nodes, and stop sending to a node whose /readyz fails. Where each socket went
 * is read from HAProxy's own log line for it (backend/server and path).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { dieWithParent } from '../parent-death.ts'
import { once } from 'node:events'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import {
  cleanup,
  eventually,
  startTestServer,
  synced,
  tempDir,
  type TestServer,
} from '../harness.ts'
import { testPostgres } from './postgres.ts'
import { freePort, skipWithoutRedis } from './redis.ts'
import { joinCluster, newCluster } from './test-node.ts'

const postgres = await testPostgres()
const haproxyPresent = spawnSync('haproxy', ['-v']).status === 0
if (!haproxyPresent && process.env.CI)
  throw new Error('haproxy is missing: run `npm run setup:services` (CI must run this test)')

const shipped = readFileSync(
  fileURLToPath(new URL('../../deploy/haproxy.cfg', import.meta.url)),
  'utf8',
)

/** deploy/haproxy.cfg with its front port and its nodes' addresses replaced, nothing else. */
function configFor(port: number, nodes: Array<{ name: string; port: number }>): string {
  const servers = nodes.map((node) => `    server ${node.name} 127.0.0.1:${node.port}`).join('\n')
  const bind = shipped.replace(/^ {4}bind \*:8787$/m, `    bind 127.0.0.1:${port}`)
  const swapped = bind.replace(/(^ {4}server n\d 127\.0\.0\.1:\d+\n?)+/gm, `${servers}\n`)
  expect(swapped).not.toBe(bind)
  expect(bind).not.toBe(shipped)
  return swapped
}

interface Balancer {
  url: string
  /** HAProxy's log lines so far (one per finished request or socket). */
  lines(): string[]
}

const running: ChildProcess[] = []

async function startBalancer(nodes: Array<{ name: string; port: number }>): Promise<Balancer> {
  const port = await freePort()
  const file = join(tempDir(), 'haproxy.cfg')
  writeFileSync(file, configFor(port, nodes))
  const child = spawn(...dieWithParent('haproxy', ['-db', '-f', file]), {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  // Up once every node passed its checks: a board's hash must not move while the test runs.
  await eventually(async () => {
    expect(child.exitCode, output).toBeNull()
    for (const node of nodes) expect(output).not.toContain(`${node.name} is DOWN`)
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
  }, 10_000)
  return { url, lines: () => output.split('\n') }
}

/** The node HAProxy sent each finished socket of `boardId` to, in order. */
function nodesOf(balancer: Balancer, boardId: string): string[] {
  // The log format ends with the method and the path (no query: a token must not be logged).
  return balancer
    .lines()
    .filter((line) => line.endsWith(` GET /ws/doc/${boardId}`))
    .map((line) => / boards\/(\S+) /.exec(line)?.[1] ?? '?')
}

const providers: WebsocketProvider[] = []
function provider(balancer: Balancer, boardId: string, query: Record<string, string>) {
  const made = new WebsocketProvider(
    `${balancer.url.replace('http', 'ws')}/ws/doc`,
    boardId,
    new Y.Doc(),
    {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      params: query,
    },
  )
  providers.push(made)
  return made
}

describe.skipIf(!postgres || skipWithoutRedis || (!haproxyPresent && !process.env.CI))(
  'deploy/haproxy.cfg in front of two nodes',
  () => {
    afterEach(async () => {
      for (const made of providers.splice(0)) made.destroy()
      for (const child of running.splice(0)) {
        if (child.exitCode !== null) continue
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
      await cleanup()
    })

    it('hashes a board’s sockets to one node whatever the query, spreads boards, and drops a node that is not ready', async () => {
      const a = await startTestServer({ node: newCluster() })
      const b = await startTestServer({ node: joinCluster(a) })
      const portOf = (t: TestServer) => Number(new URL(t.url).port)
      const balancer = await startBalancer([
        { name: 'n1', port: portOf(a) },
        { name: 'n2', port: portOf(b) },
      ])

      const boards: string[] = []
      for (let i = 0; i < 12; i++) boards.push(await a.createBoard(`Board ${i}`))
      // Two clients per board, with different tokens in the query; each syncs, then leaves.
      for (const boardId of boards) {
        await synced(provider(balancer, boardId, { token: 'first' }))
        await synced(provider(balancer, boardId, { token: 'second' }))
      }
      for (const made of providers.splice(0)) made.destroy()
      await eventually(() => {
        for (const boardId of boards) expect(nodesOf(balancer, boardId)).toHaveLength(2)
      })
      const placed = new Map(boards.map((boardId) => [boardId, nodesOf(balancer, boardId)]))
      for (const [boardId, nodes] of placed)
        expect(new Set(nodes), boardId).toHaveProperty('size', 1)
      const used = new Set([...placed.values()].map((nodes) => nodes[0]))
      expect([...used].sort()).toEqual(['n1', 'n2'])

      // n2 stops (its /readyz fails, then its port closes): its boards go to n1 and sync there.
      const moved = boards.find((boardId) => placed.get(boardId)?.[0] === 'n2') as string
      await b.server.close()
      await synced(provider(balancer, moved, { token: 'late' }))
      for (const made of providers.splice(0)) made.destroy()
      await eventually(() => expect(nodesOf(balancer, moved).at(-1)).toBe('n1'))
    })
  },
)
