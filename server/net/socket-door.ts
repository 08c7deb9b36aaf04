/**
 * The door for WebSocket upgrades, on the Node server itself (its `upgrade` event), not
 * through the Hono app.
 *
 * node-server's `upgradeWebSocket` helper keeps, for each socket's whole life, the Hono
 * context of its upgrade request (Request, headers, URL, about sixteen closures: ~3.5 KB per
 * socket) and a per-message wrapper; nothing of it is needed once the socket is open, and the
 * helper offers no way to let go of it. Here a route's `decide` sees only the path parameters
 * and the query, runs before the upgrade (it may await, e.g. to check a token), and `open`
 * gets the `ws` socket, the TCP socket under it (for writing pre-encoded frames) and the
 * decision. Refusals stay close codes sent right after the upgrade (docs/product.md); only a
 * path with no socket behind it, or a request that is not a WebSocket upgrade, is answered
 * with an HTTP status instead.
 *
 * `ws` is loaded at the first upgrade, not at start: a server nobody has connected to does
 * without it (about 2 MB at rest); the first socket waits for it once (a few milliseconds).
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import type { ServerOptions, WebSocket, WebSocketServer } from 'ws'

/** What a route knows of an upgrade request: its path parameters and query. */
export interface SocketRequest {
  params: Record<string, string>
  query: URLSearchParams
}

interface Route {
  pattern: RegExp
  names: string[]
  decide(request: SocketRequest): Promise<unknown>
  open(ws: WebSocket, socket: Socket, decision: unknown): void
}

export class SocketDoor {
  private readonly routes: Route[] = []
  /** Made at the first upgrade (see above). */
  private wss: Promise<WebSocketServer> | null = null

  constructor(
    /** For `ws`'s server, which takes upgrades only from here (`noServer`). */
    private readonly wsOptions: Omit<ServerOptions, 'noServer' | 'server' | 'port'>,
    private readonly log: Logger,
  ) {}

  private sockets(): Promise<WebSocketServer> {
    return (this.wss ??= import('ws').then(
      ({ WebSocketServer }) => new WebSocketServer({ ...this.wsOptions, noServer: true }),
    ))
  }

  /** Waits for open sockets to finish their close handshake, at most `graceMs`, then cuts what is left. */
  async closeAll(graceMs: number): Promise<void> {
    if (!this.wss) return
    const wss = await this.wss
    const open = [...wss.clients].filter((ws) => ws.readyState !== ws.CLOSED)
    const allClosed = Promise.all(
      open.map((ws) => new Promise((resolve) => ws.once('close', resolve))),
    )
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      allClosed,
      new Promise((resolve) => (timer = setTimeout(resolve, graceMs))),
    ])
    clearTimeout(timer)
    for (const ws of wss.clients) ws.terminate()
  }

  /** A socket path; `:name` segments become `params.name` (one whole segment each). */
  route<D>(
    path: string,
    decide: (request: SocketRequest) => Promise<D>,
    open: (ws: WebSocket, socket: Socket, decision: D) => void,
  ): void {
    const names: string[] = []
    const source = path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        names.push(segment.slice(1))
        return '([^/]+)'
      })
      .join('/')
    this.routes.push({
      pattern: new RegExp(`^${source}$`),
      names,
      decide,
      open: open as Route['open'],
    })
  }

  /** Takes every upgrade request of `server` (there is no other upgrade handler). */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(request, socket as Socket, head)
    })
  }

  private async upgrade(request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    // Node hands the socket over without an error listener: a client that resets while its
    // access is decided, or while it is refused, must not be an unhandled error.
    const ignore = () => {}
    socket.on('error', ignore)
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400)
    const url = new URL(request.url ?? '/', 'http://door')
    const found = this.match(url.pathname)
    if (!found) return refuse(socket, 404)
    let decision: unknown
    let wss: WebSocketServer
    try {
      decision = await found.route.decide({ params: found.params, query: url.searchParams })
      wss = await this.sockets()
    } catch (error) {
      this.log.error({ err: error, path: url.pathname }, 'socket upgrade failed')
      return refuse(socket, 500)
    }
    if (socket.destroyed) return
    wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', ignore)
      found.route.open(ws, socket, decision)
    })
  }

  private match(path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      const hit = route.pattern.exec(path)
      if (!hit) continue
      const params: Record<string, string> = {}
      try {
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(hit[i + 1] ?? '')))
      } catch {
        return null // a malformed escape names nothing
      }
      return { route, params }
    }
    return null
  }
}

/** An HTTP answer instead of an upgrade, then the connection is closed. */
function refuse(socket: Socket, status: number): void {
  if (socket.destroyed) return
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  )
}
