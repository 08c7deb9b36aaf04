/**
 * PostgreSQL unreachable under a node (docs/cluster.md, "What each fault does"): writes are
 * refused with a clear code (4503 on the board's sockets, 503 for locks), /readyz names
 * postgres, nothing a client was told is stored is lost, and the node recovers by itself when
 * PostgreSQL is back (here: cut off through a TCP proxy, the server itself untouched).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { board, createTask } from '../../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced } from '../harness.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis } from './redis.ts'
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
import { newCluster } from './test-node.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres || skipWithoutRedis)('PostgreSQL down under a node', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(postgres?.adminUrl ?? 'x://h:5432').port || 5432))
  })
  afterEach(cleanup)
  afterAll(async () => {
    await proxy?.close()
  })

  it('refuses writes with 4503 and 503, says so on /readyz, and recovers by itself with nothing lost', async () => {
    const t = await startTestServer({
      node: newCluster({
        databaseUrl: (url) => {
          const through = new URL(url)
          through.hostname = '127.0.0.1'
          through.port = String(proxy.port)
          return through.toString()
        },
      }),
    })
    const boardId = await t.createBoard()
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc)
    await synced(provider)
    createTask(doc, { id: 'before', title: 'Before', order: 'a0', createdBy: 'local' })
    await eventually(async () => {
      const check = new Y.Doc()
      await synced(t.provider(boardId, check))
      expect(board(check).tasks.has('before')).toBe(true)
    })

    const refused = new Promise<number>((resolve) =>
      provider.once('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0)),
    )
    proxy.cut()
    createTask(doc, { id: 'during', title: 'During', order: 'a1', createdBy: 'local' })
    expect(await refused).toBe(CloseCode.storageUnavailable)
    await eventually(async () => {
      const ready = await t.api<{ postgres: { state: string } }>('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.body.postgres.state).toBe('down')
    })
    const lock = await t.api('/api/locks/acquire', {
      method: 'POST',
      json: { key: `${boardId}/task/before` },
    })
    expect(lock.status).toBe(503)

    proxy.heal()
    await eventually(async () => expect((await t.api('/readyz')).status).toBe(200), 15_000)
    // The client reconnects by itself and sends what was refused; a new one sees all of it.
    await eventually(async () => {
      const after = new Y.Doc()
      await synced(t.provider(boardId, after))
      expect([...board(after).tasks.keys()].sort()).toEqual(['before', 'during'])
    }, 15_000)
  })
})
