/**
 * A server only probed for health holds none of what it loads at first use: Node's fetch
 * behind the HTTP adapter (net/http-door.ts), `ws` (net/socket-door.ts), prom-client
 * (metrics.ts). Read in a real server process, through a probe it imports.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, expect, it } from 'vitest'
import WebSocket from 'ws'
import { freePort, killed, ready } from './child.ts'
import { cleanup, tempDir } from './harness.ts'

afterEach(cleanup)

type Loaded = Record<'undici' | 'ws' | 'prom-client', boolean>

/** The probe's answer; the server's own log lines (pino, on stdout too) are passed over. */
async function loaded(child: ChildProcess): Promise<Loaded> {
  const answer = new Promise<Loaded>((resolve) => {
    const read = (chunk: Buffer) => {
      const line = chunk
        .toString()
        .split('\n')
        .find((l) => l.includes('"undici"'))
      if (!line) return
      child.stdout!.off('data', read)
      resolve(JSON.parse(line) as Loaded)
    }
    child.stdout!.on('data', read)
  })
  child.kill('SIGUSR2')
  return answer
}

it('loads the HTTP adapter, ws and prom-client at their first use, not at start', async () => {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const probe = new URL('./fixtures/loaded-modules.mjs', import.meta.url).pathname
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', probe, 'server/main.ts'], {
    env: {
      ...process.env,
      LOUPE_AUTH: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOUPE_DATA_DIR: tempDir(),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  try {
    await ready(url)
    const health = await fetch(`${url}/healthz?from=probe`)
    expect(await health.json()).toEqual({ ok: true })
    const head = await fetch(`${url}/readyz`, { method: 'HEAD' })
    expect([head.status, await head.text()]).toEqual([200, ''])
    expect(await loaded(child)).toEqual({ undici: false, ws: false, 'prom-client': false })

    expect((await fetch(`${url}/api/me`)).status).toBe(200)
    expect(await loaded(child)).toEqual({ undici: true, ws: false, 'prom-client': false })
    const metrics = await (await fetch(`${url}/metrics`)).text()
    expect(metrics).toMatch(/^loupe_commit_seconds_count 0$/m)
    expect(metrics).toMatch(/^loupe_process_cpu_seconds_total /m)
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/doc/no-such-board`)
    await once(socket, 'close')
    expect(await loaded(child)).toEqual({ undici: true, ws: true, 'prom-client': true })
  } finally {
    await killed(child)
  }
})
