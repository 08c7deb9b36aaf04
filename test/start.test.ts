/**
 * `npm start` (scripts/start.mjs) runs the server compiled to build/, building what is missing
 * or stale first, and serves the API, the sockets and the web client from it.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import { pruneOldChunks, serverIsCurrent } from '../scripts/server-build.mjs'
import { freePort, ready } from './child.ts'
import { cleanup, synced, tempDir } from './harness.ts'

afterEach(cleanup)

const root = fileURLToPath(new URL('..', import.meta.url))

/** Runs `node scripts/start.mjs` until it answers; returns its URL, output and exit. */
async function start() {
  const port = await freePort()
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOUPE_AUTH: 'off',
      LOUPE_DATA_DIR: tempDir(),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const run = { child, url: `http://127.0.0.1:${port}`, output: '', exited: once(child, 'exit') }
  child.stdout.on('data', (chunk: Buffer) => (run.output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (run.output += chunk.toString()))
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  // A start that fails (a build error) says why instead of timing out on the port.
  const failed = run.exited.then(([code]) => {
    throw new Error(`npm start exited (${String(code)}) before answering:\n${run.output}`)
  })
  await Promise.race([ready(run.url), failed])
  failed.catch(() => {})
  return run
}

async function stop(run: Awaited<ReturnType<typeof start>>) {
  run.child.kill('SIGTERM')
  const [code] = (await run.exited) as [number | null]
  expect({ code, output: run.output }).toEqual({ code: 0, output: run.output })
}

describe('npm start', () => {
  it('builds the server when it is missing, runs it, and does not build it again', async () => {
    rmSync(`${root}/build`, { recursive: true, force: true })
    const first = await start()
    expect(first.output).toContain('Building the server')
    expect(serverIsCurrent()).toBe(true)
    const built = statSync(`${root}/build/main.mjs`).mtimeMs

    // What it serves works: the API and the document socket.
    const created = await fetch(`${first.url}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Home' }),
    }).then((r) => r.json() as Promise<{ workspace: { id: string } }>)
    await fetch(`${first.url}/api/workspaces/${created.workspace.id}/boards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Started', id: 'started' }),
    })
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(
      first.url.replace('http', 'ws') + '/ws/doc',
      'started',
      doc,
      {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      },
    )
    await synced(provider)
    expect(doc.getMap('meta').get('title')).toBe('Started')
    provider.destroy()
    await stop(first)

    const second = await start()
    expect(second.output).not.toContain('Building the server')
    expect(statSync(`${root}/build/main.mjs`).mtimeMs).toBe(built)
    await stop(second)
  }, 120_000)

  it('keeps the chunks of an earlier build for a week, for a server still running from it', () => {
    const dir = tempDir()
    const day = 24 * 60 * 60 * 1000
    const now = Date.now()
    const file = (name: string, ageMs: number) => {
      const path = join(dir, name)
      writeFileSync(path, '')
      utimesSync(path, (now - ageMs) / 1000, (now - ageMs) / 1000)
      return path
    }
    const current = file('chunk-NEW.mjs', 30 * day)
    file('chunk-RECENT.mjs', 6 * day)
    file('chunk-OLD.mjs', 8 * day)
    pruneOldChunks(dir, new Set([current]), now)
    expect(readdirSync(dir).sort()).toEqual(['chunk-NEW.mjs', 'chunk-RECENT.mjs'])
  })
})
