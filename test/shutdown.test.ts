/**
 * Graceful stop (docs/operations.md, "Stopping"): on SIGTERM every open socket closes with 1012,
 * pending commits are flushed, the process exits 0 — and nothing any client saw relayed is lost.
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { freePort, killed, ready, startChild } from './child.ts'
import { cleanup, eventually, synced, tempDir, type TestServer } from './harness.ts'
import { liveClient } from './live-client.ts'

afterEach(cleanup)

async function post(url: string, body: object): Promise<Record<string, { id: string }>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(201)
  return (await response.json()) as Record<string, { id: string }>
}

interface Client {
  name: string
  doc: Y.Doc
  provider: WebsocketProvider
  /** The close code of the provider's first connection (null while it is open). */
  closeCode: number | null
  /** Task ids this client received from the server (other clients' edits, relayed). */
  relayed: Set<string>
}

describe('graceful stop', () => {
  it('on SIGTERM closes every provider and live socket with 1012, exits 0, and keeps everything that was relayed', async () => {
    const dataDir = tempDir()
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    let child: ChildProcess = startChild(dataDir, port)
    const clients: Client[] = []
    try {
      await ready(url)
      const { workspace } = await post(`${url}/api/workspaces`, { name: 'w' })
      await post(`${url}/api/workspaces/${workspace?.id}/boards`, { title: 'Stop', id: 'stop' })

      const connect = (name: string): Client => {
        const doc = new Y.Doc()
        const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/ws/doc`, 'stop', doc, {
          WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
          disableBc: true,
        })
        const client: Client = { name, doc, provider, closeCode: null, relayed: new Set() }
        provider.on('connection-close', (event) => {
          if (client.closeCode !== null) return
          client.closeCode = event?.code ?? -1
          // Never reconnect: a reconnect would re-send edits and hide anything the server lost.
          provider.destroy()
        })
        doc.on('afterTransaction', (transaction: Y.Transaction) => {
          if (transaction.local) return
          for (const [type, keys] of transaction.changed) {
            if ((type as unknown) !== board(doc).tasks) continue
            for (const key of keys) if (key && board(doc).tasks.has(key)) client.relayed.add(key)
          }
        })
        clients.push(client)
        return client
      }
      const writers = [connect('a'), connect('b')]
      const observer = connect('observer')
      await Promise.all(clients.map((c) => synced(c.provider)))
      // A live socket is told the same.
      const live = await liveClient({ url } as TestServer)
      await live.hello()

      // Each writer keeps adding tasks as fast as the other's come back, up to the stop and
      // through it: every turn, each open writer writes its next task.
      let round = 0
      const write = () => {
        round++
        for (const writer of writers) {
          if (writer.closeCode !== null) continue
          createTask(writer.doc, {
            id: `${writer.name}-${round}`,
            title: `${writer.name} ${round}`,
            order: `a${round}`,
            createdBy: 'local',
          })
        }
        if (writers.some((w) => w.closeCode === null)) setTimeout(write, 1)
      }
      write()
      await eventually(() => expect(observer.relayed.size).toBeGreaterThanOrEqual(40), 20_000)

      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
      child.kill('SIGTERM')
      await eventually(() => expect(clients.map((c) => c.closeCode)).toEqual([1012, 1012, 1012]))
      expect(await live.closed).toBe(CloseCode.serverStopping)
      const [code, signal] = await exited
      expect({ code, signal }).toEqual({ code: 0, signal: null })

      const seen = new Set(clients.flatMap((c) => [...c.relayed]))
      // Both writers' tasks were relayed, not only the observer's view of them.
      for (const writer of writers)
        expect([...seen].some((id) => id.startsWith(`${writer.name}-`))).toBe(true)

      child = startChild(dataDir, port)
      await ready(url)
      const freshDoc = new Y.Doc()
      const fresh = new WebsocketProvider(`ws://127.0.0.1:${port}/ws/doc`, 'stop', freshDoc, {
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      })
      try {
        await synced(fresh)
        const stored = new Set(board(freshDoc).tasks.keys())
        const lost = [...seen].filter((id) => !stored.has(id))
        expect(lost).toEqual([])
        expect(stored.size).toBeGreaterThanOrEqual(seen.size)
      } finally {
        fresh.destroy()
      }
    } finally {
      for (const client of clients) client.provider.destroy()
      await killed(child)
    }
  }, 60_000)
})
