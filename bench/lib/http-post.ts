/**
 * JSON POSTs over keep-alive HTTP/1.1 for request/response benchmarks. Two clients:
 * `node:http` with a keep-alive Agent (default; cheap per request) and the global
 * `fetch` (undici; also keep-alive, but costs the load generator several times more CPU
 * per request, enough to make it the bottleneck at thousands of requests/s on 2 cores).
 */
import http from 'node:http'

export type HttpClientKind = 'node-http' | 'fetch'

export interface PostReply {
  status: number
  body: string
  /** performance.now() once the whole response body was read. */
  at: number
}

export type PostJson = (path: string, body: unknown) => Promise<PostReply>

export function httpPoster(
  base: string,
  kind: HttpClientKind,
  timeoutMs = 10_000,
  /** Sent as a bearer token (a server with accounts on). */
  token?: string,
): PostJson {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  if (kind === 'fetch') {
    return async (path, body) => {
      const r = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
      const text = await r.text()
      return { status: r.status, body: text, at: performance.now() }
    }
  }
  const url = new URL(base)
  // No socket cap: each concurrent caller keeps its own connection, as fetch would.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })
  return (path, body) =>
    new Promise<PostReply>((resolve, reject) => {
      const payload = JSON.stringify(body)
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          agent,
          timeout: timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...auth,
          },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              at: performance.now(),
            }),
          )
          res.on('error', reject)
        },
      )
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
      req.on('error', reject)
      req.end(payload)
    })
}
