/**
 * Request bodies are bounded (issue 10, item 1; README "Configuration", LOUPE_MAX_JSON_BYTES):
 * every route but media uploads and board imports refuses a body past the limit with 413 and
 * the JSON error body — at once on a Content-Length that says so, and as soon as a chunked body
 * passes it — stops reading it, and closes the connection. Doors that need no token included.
 */
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { authServer, setupOwner, SETUP_CODE } from './accounts.ts'
import { freePort, killed, ready } from './child.ts'
import { cleanup, startTestServer, tempDir } from './harness.ts'
import { largePng } from './media-samples.ts'

afterEach(cleanup)

const MiB = 1024 * 1024
const LIMIT = MiB
const encode = (s: string) => new TextEncoder().encode(s)

/**
 * A JSON body of `total` bytes made as it is sent (`{"name":"aaaa…"}`), never held whole;
 * `pulled` counts what the client has taken from it so far.
 */
function jsonStream(total: number) {
  const state = { pulled: 0 }
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk =
        state.pulled === 0
          ? encode('{"name":"')
          : state.pulled + 64 * 1024 >= total
            ? encode('"}')
            : new Uint8Array(64 * 1024).fill(0x61)
      state.pulled += chunk.byteLength
      controller.enqueue(chunk)
      if (chunk.byteLength === 2) controller.close()
    },
  })
  return { stream, state }
}

interface Answer {
  status: number
  connection: string | null
  body: { error?: { code: string; message: string; limit?: number } }
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    connection: response.headers.get('connection'),
    body: (await response.json()) as Answer['body'],
  }
}

const headersFor = (token?: string): Record<string, string> => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
})

/** A body whose Content-Length says `length`; only its first bytes are ever sent. */
function announced(url: string, length: number, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headersFor(token), 'content-length': String(length) },
    })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => {
        resolve({
          status: res.statusCode as number,
          connection: res.headers.connection ?? null,
          body: JSON.parse(text) as Answer['body'],
        })
        req.destroy()
      })
    })
    req.on('error', reject)
    req.write('{"name":"')
  })
}

/** Sends `path` an oversized body three ways and expects each refused with 413 and closed. */
async function expectRefused(url: string, path: string, token?: string) {
  const tooLarge = {
    status: 413,
    connection: 'close',
    body: {
      error: {
        code: 'too_large',
        message: `request bodies may be at most ${LIMIT} bytes (uploads have their own limit)`,
        limit: LIMIT,
      },
    },
  }
  // 1. With a true Content-Length one byte over the limit.
  const whole = new Uint8Array(LIMIT + 1).fill(0x20)
  whole.set(encode('{"name":"x"}'))
  const withLength = await fetch(url + path, {
    method: 'POST',
    headers: headersFor(token),
    body: whole,
  })
  expect({ path, form: 'Content-Length', ...(await answerOf(withLength)) }).toEqual({
    path,
    form: 'Content-Length',
    ...tooLarge,
  })

  // 2. Chunked, 100 MiB made on the fly: refused once past the limit, and not read further.
  const { stream, state } = jsonStream(100 * MiB)
  const chunked = await fetch(url + path, {
    method: 'POST',
    headers: headersFor(token),
    body: stream,
    duplex: 'half',
  } as RequestInit)
  expect({ path, form: 'chunked', ...(await answerOf(chunked)) }).toEqual({
    path,
    form: 'chunked',
    ...tooLarge,
  })
  expect(state.pulled, path).toBeLessThan(32 * MiB)

  // 3. A Content-Length of 300 MB with only a few bytes sent: refused without waiting.
  expect({ path, form: 'announced', ...(await announced(url + path, 300_000_000, token)) }).toEqual(
    { path, form: 'announced', ...tooLarge },
  )
}

describe('request bodies are bounded', () => {
  it('refuses an oversized body on the doors that need no token: setup, sign-in, invite acceptance', async () => {
    const t = await authServer()
    await expectRefused(t.url, '/api/setup')
    await expectRefused(t.url, '/api/auth/login')
    await expectRefused(t.url, '/api/invites/AAAAAAAAAAAAAAAA/accept')
    // The doors still work for a normal body.
    const owner = await setupOwner(t)
    const login = await t.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'owner-password' },
    })
    expect(login.status).toBe(200)
    expect(owner.token).toBeTruthy()
  })

  it('refuses an oversized body on a signed-in route (locks/acquire) the same way', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    await expectRefused(t.url, '/api/locks/acquire', owner.token)
    await expectRefused(t.url, '/api/workspaces', owner.token)
  })

  it('accepts the largest legitimate body and one of exactly the limit, chunked or not; one byte more is refused', async () => {
    const t = await startTestServer()
    const markRead = (body: BodyInit, chunked = false) =>
      fetch(`${t.url}/api/notifications/read`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        ...(chunked ? { duplex: 'half' } : {}),
      } as RequestInit)
    // The largest body a client sends: 1000 notification ids of 64 characters (~67 KB).
    const ids = Array.from({ length: 1000 }, (_, i) => String(i).padStart(64, 'n'))
    const largest = await markRead(JSON.stringify({ ids }))
    expect(largest.status).toBe(200)
    expect(await largest.json()).toEqual({ marked: 0, unreadCount: 0 })

    const padded = (bytes: number) => {
      const json = encode(JSON.stringify({ ids }))
      const body = new Uint8Array(bytes).fill(0x20)
      body.set(json)
      return body
    }
    const once = (bytes: Uint8Array) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.byteLength; at += 100_000)
            controller.enqueue(bytes.slice(at, at + 100_000))
          controller.close()
        },
      })
    expect((await markRead(padded(LIMIT))).status).toBe(200)
    expect((await markRead(once(padded(LIMIT)), true)).status).toBe(200)
    expect((await markRead(padded(LIMIT + 1))).status).toBe(413)
    expect((await markRead(once(padded(LIMIT + 1)), true)).status).toBe(413)
  })

  it('leaves media uploads and board imports to their own limits', async () => {
    const t = await startTestServer({
      limits: { maxJsonBytes: 4096, maxUploadBytes: 2 * MiB, maxDocBytes: 1 * MiB },
    })
    const boardId = await t.createBoard('Shots')
    const picture = largePng(MiB)
    const upload = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: picture as Uint8Array<ArrayBuffer>,
    })
    expect(upload.status).toBe(201)

    // An upload past its own limit, chunked: 413 with the JSON body, and closed.
    const big = largePng(3 * MiB)
    const overUpload = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < big.byteLength; at += 256 * 1024)
            controller.enqueue(big.slice(at, at + 256 * 1024))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(await answerOf(overUpload)).toEqual({
      status: 413,
      connection: 'close',
      body: { error: { code: 'too_large', message: `uploads may be at most ${2 * MiB} bytes` } },
    })

    const doc = new Y.Doc()
    doc.getText('notes').insert(0, 'x'.repeat(64 * 1024))
    const update = Y.encodeStateAsUpdate(doc)
    const workspaces = await t.api<{ workspaces: Array<{ id: string }> }>('/api/workspaces')
    const workspaceId = workspaces.body.workspaces[0]?.id as string
    const imported = await fetch(`${t.url}/api/workspaces/${workspaceId}/boards/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: update as Uint8Array<ArrayBuffer>,
    })
    expect(imported.status).toBe(201)
  })

  it("keeps the server's memory flat under concurrent 200 MB chunked bodies to sign-in, each answered 413", async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        LOUPE_AUTH: 'on',
        LOUPE_SETUP_CODE: SETUP_CODE,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOUPE_DATA_DIR: tempDir(),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    })
    try {
      await ready(url)
      const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const kib = (field: string) =>
        Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())?.[1])
      // Warm the sign-in path, then start counting the peak from now.
      for (let i = 0; i < 3; i++) {
        const warm = await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'nobody', password: 'wrong-password' }),
        })
        expect(warm.status).toBe(401)
      }
      writeFileSync(`/proc/${child.pid}/clear_refs`, '5')
      const before = kib('VmRSS')

      // Three rounds of three at once; every client must get its 413 (not a reset).
      const bodies: Array<ReturnType<typeof jsonStream>> = []
      const answers: number[] = []
      for (let round = 0; round < 3; round++) {
        const batch = [0, 1, 2].map(() => jsonStream(200 * 1000 * 1000))
        bodies.push(...batch)
        const statuses = await Promise.all(
          batch.map(({ stream }) =>
            fetch(`${url}/api/auth/login`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: stream,
              duplex: 'half',
            } as RequestInit).then(
              (r) => r.status,
              (error: Error) => `${error.message}: ${(error.cause as Error | undefined)?.message}`,
            ),
          ),
        )
        answers.push(...(statuses as number[]))
      }
      const peakGrowthMiB = (kib('VmHWM') - before) / 1024
      // Each body is refused once past 1 MiB (a few MiB in all); read whole, over 600 MB.
      expect(peakGrowthMiB).toBeLessThan(64)
      expect(answers).toEqual(new Array(9).fill(413))
      for (const { state } of bodies) expect(state.pulled).toBeLessThan(32 * MiB)
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
    } finally {
      await killed(child)
    }
  })
})
