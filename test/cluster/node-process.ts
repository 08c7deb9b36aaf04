/**
 * Cluster nodes as child processes (server/main.ts, as `npm start` runs it), so SIGKILL and
 * SIGSTOP are real: a killed node's sockets, leases and timers die with it, a stopped one
 * keeps them all and wakes up late. Every node of a cluster shares one fresh database, one
 * Redis and a key prefix; auth is off (everyone is the local owner).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { dieWithParent } from '../parent-death.ts'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { freePort } from '../child.ts'
import { eventually } from '../harness.ts'
import { createTestDatabase, type TestPostgres } from './postgres.ts'
import type { PrivateRedis } from './redis.ts'

export interface NodeProcess {
  readonly id: string
  readonly url: string
  readonly docUrl: string
  child: ChildProcess
  /** Whatever the node wrote on stderr (fatal start-up errors). */
  readonly errors: string[]
  kill(): Promise<void>
  stop(): void
  cont(): void
}

export interface ProcessCluster {
  readonly databaseUrl: string
  start(name: string): Promise<NodeProcess>
  close(): Promise<void>
}

export async function processCluster(
  postgres: TestPostgres,
  redis: PrivateRedis,
  options: { leaseMs?: number; env?: Record<string, string> } = {},
): Promise<ProcessCluster> {
  const database = await createTestDatabase(postgres)
  const prefix = `p${randomBytes(4).toString('hex')}:`
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-nodes-'))
  const nodes: NodeProcess[] = []
  return {
    databaseUrl: database.url,
    async start(name) {
      const port = await freePort()
      const child = spawn(
        ...dieWithParent(process.execPath, ['--import', 'tsx', 'server/main.ts']),
        {
          env: {
            ...process.env,
            LOUPE_AUTH: 'off',
            PORT: String(port),
            HOST: '127.0.0.1',
            LOUPE_DATA_DIR: join(dataDir, name),
            LOUPE_MEDIA_DIR: join(dataDir, 'media'),
            LOUPE_DATABASE_URL: database.url,
            LOUPE_REDIS_URL: redis.url,
            LOUPE_REDIS_PREFIX: prefix,
            LOUPE_NODE_ID: name,
            LOUPE_LEASE_MS: String(options.leaseMs ?? 1000),
            LOUPE_ROOM_IDLE_MS: '0',
            LOG_LEVEL: 'warn',
            ...options.env,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      )
      const errors: string[] = []
      child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()))
      const guard = () => child.kill('SIGKILL')
      process.once('exit', guard)
      child.once('exit', () => process.off('exit', guard))
      const url = `http://127.0.0.1:${port}`
      const node: NodeProcess = {
        id: name,
        url,
        docUrl: `ws://127.0.0.1:${port}/ws/doc`,
        child,
        errors,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return
          child.kill('SIGCONT')
          child.kill('SIGKILL')
          await once(child, 'exit')
        },
        stop: () => void child.kill('SIGSTOP'),
        cont: () => void child.kill('SIGCONT'),
      }
      nodes.push(node)
      await eventually(async () => {
        expect(child.exitCode, errors.join('')).toBeNull()
        expect((await fetch(`${url}/readyz`)).status).toBe(200)
      }, 30_000)
      return node
    },
    async close() {
      await Promise.all(nodes.map((node) => node.kill()))
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
