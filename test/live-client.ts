/** A real WebSocket client for the live socket, recording every message it receives. */
import WebSocket from 'ws'
import { vi } from 'vitest'
import type { TestServer } from './harness.ts'

export type Message = Record<string, unknown> & { type: string }

export interface LiveClient {
  ws: WebSocket
  messages: Message[]
  send(message: object): void
  /** Sends a request and resolves with its reply. */
  request(message: { type: string } & Record<string, unknown>): Promise<Message>
  /** Waits for the first message (from `from` on) that matches. */
  next(match: (m: Message) => boolean, from?: number): Promise<Message>
  hello(sessionId?: string): Promise<Message>
  closed: Promise<number>
  /** Events received for a stream, in order. */
  events(
    stream: string,
  ): Array<{ seq: number; event: { type: string; data: Record<string, unknown> } }>
}

let nextId = 1

export async function liveClient(
  t: Pick<TestServer, 'url'>,
  options: { token?: string; autoPong?: boolean } = {},
): Promise<LiveClient> {
  const query = options.token ? `?token=${options.token}` : ''
  const ws = new WebSocket(`${t.url.replace('http', 'ws')}/ws/live${query}`)
  const messages: Message[] = []
  const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)))
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Message
    messages.push(message)
    if (message.type === 'ping' && options.autoPong !== false)
      ws.send(JSON.stringify({ type: 'pong', t: message.t }))
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const client: LiveClient = {
    ws,
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    next: (match, from = 0) =>
      vi.waitFor(
        () => {
          const found = messages.slice(from).find(match)
          if (!found) throw new Error('not yet')
          return found
        },
        { timeout: 5000, interval: 10 },
      ),
    async request(message) {
      const id = `r${nextId++}`
      const from = messages.length
      client.send({ ...message, id })
      return client.next((m) => m.type === 'reply' && m.id === id, from)
    },
    async hello(sessionId) {
      const from = messages.length
      client.send({ type: 'hello', v: 1, ...(sessionId ? { sessionId } : {}) })
      return client.next((m) => m.type === 'welcome', from)
    },
    events: (stream) =>
      messages
        .filter((m) => m.type === 'event' && m.stream === stream)
        .map((m) => ({
          seq: m.seq as number,
          event: m.event as { type: string; data: Record<string, unknown> },
        })),
  }
  return client
}
