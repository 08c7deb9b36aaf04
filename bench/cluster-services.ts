/**
 * What one bench case needs to run Loupe in cluster mode, loopback only and removed after:
 * a fresh PostgreSQL database (CREATE/DROP on BENCH_POSTGRES_URL, by default the machine's
 * PostgreSQL as user postgres with trust auth) and a private `redis-server` on a spare port
 * with no persistence. Databases of bench processes that died before their cleanup are
 * dropped the next time one is made (their names carry the creating pid).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { sleep } from './lib/async.ts'

const HOST = '127.0.0.1'
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? `postgres://postgres@${HOST}:5432/postgres`
const REDIS_BINARY = process.env.LOUPE_REDIS_SERVER ?? 'redis-server'

export interface ClusterServices {
  databaseUrl: string
  redisUrl: string
  /** The redis-server process, to measure its CPU. */
  redisPid: number
  /** The PostgreSQL backends serving the database now (one per connection), to measure their CPU. */
  backendPids(): Promise<number[]>
  /** Runs one query on the database (a bench reading what the nodes stored). */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>
  /** Stops redis-server and drops the database; safe to call twice. */
  stop(): Promise<void>
}

/** redis-server processes still running, killed if the bench exits without stop(). */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

async function dropAbandoned(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    "SELECT datname AS name FROM pg_database WHERE datname LIKE 'loupe\\_bench\\_%'",
  )
  for (const { name } of rows) {
    const pid = Number(/^loupe_bench_(\d+)_[0-9a-f]+$/.exec(name)?.[1])
    if (!pid || alive(pid)) continue
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, HOST, () => {
      const addr = s.address()
      s.close(() => (addr && typeof addr === 'object' ? res(addr.port) : rej(new Error('no port'))))
    })
  })
}

/** One PING over a fresh connection; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((res) => {
    const sock = connect(port, HOST)
    const done = (ok: boolean): void => {
      sock.destroy()
      res(ok)
    }
    sock.setTimeout(1000, () => done(false))
    sock.once('error', () => done(false))
    sock.once('connect', () => sock.write('PING\r\n'))
    sock.once('data', (b) => done(b.toString().startsWith('+PONG')))
  })
}

async function startRedis(): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-redis-'))
  const child = spawn(
    REDIS_BINARY,
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  )
  live.add(child)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.once('exit', () => live.delete(child))
  child.once('error', () => live.delete(child))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const deadline = performance.now() + 10_000
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break
    if (await ping(port)) return { url: `redis://${HOST}:${port}`, pid: child.pid ?? 0, stop }
    await sleep(50)
  }
  await stop()
  throw new Error(`${REDIS_BINARY} on port ${port} exited or did not answer PING within 10 s`)
}

export async function startClusterServices(): Promise<ClusterServices> {
  const name = `loupe_bench_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin(async (client) => {
    await dropAbandoned(client)
    await client.query(`CREATE DATABASE ${name}`)
  })
  let redis: { url: string; pid: number; stop(): Promise<void> }
  try {
    redis = await startRedis()
  } catch (err) {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    throw err
  }
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  let stopped = false
  const query = async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    const client = new pg.Client({ connectionString: url.toString() })
    await client.connect()
    try {
      return (await client.query<R>(text, values)).rows
    } finally {
      await client.end()
    }
  }
  return {
    databaseUrl: url.toString(),
    redisUrl: redis.url,
    redisPid: redis.pid,
    query,
    async backendPids() {
      const rows = await admin((client) =>
        client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        ),
      )
      return rows.rows.map((row) => row.pid)
    },
    async stop() {
      if (stopped) return
      stopped = true
      try {
        await redis.stop()
      } finally {
        await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      }
    },
  }
}
