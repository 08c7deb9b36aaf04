/** A Loupe server as a child process, for tests that SIGKILL it. */
import { spawn, type ChildProcess } from 'node:child_process'
import { dieWithParent } from './parent-death.ts'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { expect } from 'vitest'
import { eventually } from './harness.ts'

export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  server.close()
  return port
}

export function startChild(dataDir: string, port: number): ChildProcess {
  return spawn(...dieWithParent(process.execPath, ['--import', 'tsx', 'server/main.ts']), {
    env: {
      ...process.env,
      LOUPE_AUTH: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOUPE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  })
}

export async function ready(url: string): Promise<void> {
  await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), 20_000)
}

export async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGKILL')
  await once(child, 'exit')
}
