/**
 * A loopback TCP proxy that stands between one client (a "node") and Redis, so a test can cut
 * that one client off while every other client keeps talking to the same server: a network
 * partition of one node, without touching Redis itself.
 */
import { connect, createServer, type Socket } from 'node:net'

export interface TcpProxy {
  readonly port: number
  readonly url: string
  /** Drops every open connection and refuses new ones until `heal()`. */
  cut(): void
  /**
   * Keeps forwarding requests but swallows every reply from now on: a command runs on the
   * server and its answer is lost on the way back (follow with `cut()`).
   */
  swallowReplies(): void
  /** Accepts and forwards again. */
  heal(): void
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>()
  let refusing = false
  let swallowing = false

  const server = createServer((client) => {
    if (refusing) {
      client.destroy()
      return
    }
    const upstream = connect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => {
      if (!swallowing) client.write(chunk)
    })
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')

  const dropAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy()
      upstream.destroy()
    }
    pairs.clear()
  }

  return {
    port: address.port,
    url: `redis://127.0.0.1:${address.port}`,
    cut() {
      refusing = true
      dropAll()
    },
    swallowReplies() {
      swallowing = true
    },
    heal() {
      refusing = false
      swallowing = false
    },
    async close() {
      dropAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
