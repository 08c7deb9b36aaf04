// @ts-check
/**
 * The reference: the stock y-websocket relay (@y/websocket-server 0.1.1), run as its own
 * process so the orchestrator measures it exactly like Loupe. Plain JavaScript, started by
 * plain `node` (no loader), as Loupe's compiled build is.
 *
 * In memory unless YPERSISTENCE names a folder: then the reference's own y-leveldb
 * persistence stores every update there and a restart loads the board back from it (the
 * `coldload` scenario's restart on the reference side).
 */
import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const port = Number(process.env.PORT ?? process.argv[2])
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: PORT=<port> node bench/reference-server.mjs')
  process.exit(2)
}

// Any plain HTTP request answers 200 so the orchestrator can poll /readyz as it does for Loupe.
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' })
  res.end('ok')
})
const wss = new WebSocketServer({ server })

wss.on('connection', (conn, req) => {
  // y-websocket convention: the room is the URL path segment after the last slash.
  const path = new URL(req.url ?? '/', 'http://localhost').pathname
  setupWSConnection(conn, req, { docName: path.slice(path.lastIndexOf('/') + 1) })
})

server.listen(port, '127.0.0.1')

process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate()
  server.close(() => process.exit(0))
  // Keep-alive HTTP sockets can hold close() open; the orchestrator only needs a prompt exit.
  setTimeout(() => process.exit(0), 500).unref()
})
