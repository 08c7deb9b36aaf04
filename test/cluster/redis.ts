/**
 * A private Redis for cluster tests: one `redis-server` per suite on a free loopback port, with
 * no persistence and its own directory, so a test may kill it (SIGKILL) and start it again with
 * every key lost, as a restarted production Redis without persistence would be. Cluster suites
 * skip only when redis-server is truly absent on a developer machine; under CI
 * (`process.env.CI`) a missing server fails them (`npm run setup:services` installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dieWithParent } from '../parent-death.ts'

const BINARY = process.env.LOUPE_REDIS_SERVER ?? 'redis-server'

/** Whether redis-server can be run here (a missing binary under CI is an error, not a skip). */
export const redisServerPresent = spawnSync(BINARY, ['--version']).status === 0

if (!redisServerPresent && process.env.CI) {
  throw new Error(
    `${BINARY} is missing: run \`npm run setup:services\` (CI must run cluster tests)`,
  )
}

/** Skip a cluster suite only when there is no redis-server and this is not CI. */
export const skipWithoutRedis = !redisServerPresent && !process.env.CI

export interface PrivateRedis {
  readonly port: number
  readonly url: string
  /** SIGKILL: the server dies at once, as in a crash. */
  kill(): Promise<void>
  /** Starts it again on the same port; with no persistence every key is gone. */
  restart(): Promise<void>
  /** Kills it if running and removes its directory. */
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

export async function startRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-redis-'))
  const port = await freePort()
  let child: ChildProcess | null = null

  const launch = async () => {
    const proc = spawn(
      ...dieWithParent(BINARY, [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'notice',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = proc
    // A test process that dies without its afterAll must not leave a server behind.
    const orphanGuard = () => proc.kill('SIGKILL')
    process.once('exit', orphanGuard)
    proc.once('exit', () => process.off('exit', orphanGuard))
    // Ready when it says so; the log line is the server's own signal, no polling needed.
    await new Promise<void>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start on ${port}:\n${output}`)),
        10_000,
      )
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      }
      proc.stdout?.on('data', onData)
      proc.stderr?.on('data', onData)
      proc.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}:\n${output}`))
      })
    })
  }

  const kill = async () => {
    const proc = child
    child = null
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill('SIGKILL')
    })
  }

  await launch()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill()
      await launch()
    },
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
