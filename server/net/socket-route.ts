import { upgradeWebSocket } from '@hono/node-server'
import type { Context, Hono } from 'hono'
import type { WebSocket } from 'ws'

/**
 * A WebSocket route on node-server's built-in upgrade support. `decide` runs before the
 * upgrade (it may await, e.g. to check a token); `open` gets the raw `ws` socket with the
 * decision, and refuses with a close code if it must (docs/product.md: refusals after the upgrade).
 */
export function socketRoute<D>(
  app: Hono,
  path: string,
  decide: (c: Context) => Promise<D>,
  open: (ws: WebSocket, decision: D) => void,
): void {
  app.get(
    path,
    upgradeWebSocket(async (c) => {
      const decision = await decide(c)
      // The adapter keeps the request's context alive for the socket's lifetime; let go of
      // the Node request inside it, which nothing needs once the socket is open.
      const env = c.env as { incoming?: unknown } | undefined
      return {
        onOpen: (_event, ws) => {
          if (env) env.incoming = undefined
          open(ws.raw as WebSocket, decision)
        },
      }
    }),
  )
}
