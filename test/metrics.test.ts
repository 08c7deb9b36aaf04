import { request } from 'node:http'
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, parseEnv } from '../server/config.ts'
import { isLoopback, metricsRefusal } from '../server/http/routes/health.ts'
import { cleanup, startTestServer } from './harness.ts'

afterEach(cleanup)

const TOKEN = 'scrape-me-please-0123456789'

/**
 * GET /metrics over a real socket. `from` binds the client's end to that local address, so the
 * server sees a peer other than 127.0.0.1 (the whole 127/8 block reaches the loopback
 * interface, but only 127.0.0.1 and ::1 count as "this machine" for /metrics).
 */
async function scrape(
  url: string,
  options: { from?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: IncomingMessage['headers'] }> {
  const req = request(`${url}/metrics`, {
    headers: options.headers ?? {},
    ...(options.from ? { localAddress: options.from } : {}),
  })
  req.end()
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  let body = ''
  res.setEncoding('utf8')
  for await (const chunk of res) body += chunk as string
  return { status: res.statusCode as number, body, headers: res.headers }
}

describe('/metrics access', () => {
  it('without LOUPE_METRICS_TOKEN answers only direct requests from this machine', async () => {
    const t = await startTestServer()
    const local = await scrape(t.url)
    expect(local.status).toBe(200)
    expect(local.body).toMatch(/^loupe_rooms 0$/m)

    const other = await scrape(t.url, { from: '127.0.0.2' })
    expect(other.status).toBe(403)
    expect(JSON.parse(other.body).error.code).toBe('forbidden')
    expect(other.body).toContain('LOUPE_METRICS_TOKEN')
    expect(other.body).not.toContain('loupe_rooms')

    // A reverse proxy on the same machine connects from 127.0.0.1; its headers give it away.
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const proxied = await scrape(t.url, { headers: { [header]: '203.0.113.9' } })
      expect(proxied.status, header).toBe(403)
    }
    // A token is not needed, nor looked at, when none is configured.
    expect((await scrape(t.url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    )
  })

  it('with LOUPE_METRICS_TOKEN requires the bearer token, from anywhere', async () => {
    const t = await startTestServer({ metricsToken: TOKEN })
    const bare = await scrape(t.url)
    expect(bare.status).toBe(401)
    expect(bare.headers['www-authenticate']).toBe('Bearer realm="loupe-metrics"')
    expect(bare.body).not.toContain('loupe_rooms')
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
      'Bearer',
    ]) {
      expect((await scrape(t.url, { headers: { authorization } })).status, authorization).toBe(401)
    }
    const right = await scrape(t.url, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(right.status).toBe(200)
    expect(right.body).toMatch(/^loupe_rooms 0$/m)
    const remote = await scrape(t.url, {
      from: '127.0.0.2',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' },
    })
    expect(remote.status).toBe(200)
  })

  it('decides by address, proxy headers and token', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address), address).toBe(true)
      expect(
        metricsRefusal(undefined, {
          authorization: undefined,
          remoteAddress: address,
          proxied: false,
        }),
      ).toBeNull()
    }
    for (const address of ['10.0.0.5', '192.168.1.20', 'fe80::1', '::ffff:10.0.0.5', undefined]) {
      expect(isLoopback(address), address).toBe(false)
      expect(
        metricsRefusal(undefined, {
          authorization: undefined,
          remoteAddress: address,
          proxied: false,
        }),
      ).toBe(403)
    }
    expect(
      metricsRefusal(undefined, { authorization: undefined, remoteAddress: '::1', proxied: true }),
    ).toBe(403)
    expect(
      metricsRefusal(TOKEN, {
        authorization: undefined,
        remoteAddress: '127.0.0.1',
        proxied: false,
      }),
    ).toBe(401)
    expect(
      metricsRefusal(TOKEN, {
        authorization: `bearer ${TOKEN}`,
        remoteAddress: '10.0.0.5',
        proxied: true,
      }),
    ).toBeNull()
  })

  it('takes LOUPE_METRICS_TOKEN from the environment, at least 16 characters', () => {
    expect(parseEnv({ LOUPE_METRICS_TOKEN: TOKEN }).LOUPE_METRICS_TOKEN).toBe(TOKEN)
    expect(parseEnv({}).LOUPE_METRICS_TOKEN).toBeUndefined()
    expect(() => parseEnv({ LOUPE_METRICS_TOKEN: 'short' })).toThrow(ConfigError)
  })
})
