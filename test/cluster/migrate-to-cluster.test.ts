/**
 * `npm run admin -- migrate-to-cluster`: a populated single-machine data folder (accounts, a
 * board with content, events, a notification, a held lock, media) moves into PostgreSQL, and a
 * cluster node started on it finds it all: the same sign-in, tokens, board, log, lock (holder
 * and token; later tokens larger) and files.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask } from '../../shared/schema/board.ts'
import { runAdmin } from '../../server/admin/commands.ts'
import type { Config } from '../../server/config.ts'
import { createBoard, invite, SETUP_CODE, setupOwner } from '../accounts.ts'
import { cleanup, eventually, startTestServer, synced, type TestServer } from '../harness.ts'
import { largePng } from '../media-samples.ts'
import { createTestDatabase, testPostgres, type TestDatabase } from './postgres.ts'
import { skipWithoutRedis, startRedis, type PrivateRedis } from './redis.ts'
import { joinCluster } from './test-node.ts'

const postgres = await testPostgres()

type Events = { events: Array<{ seq: number; event: { type: string } }> }
type Locks = { locks: Array<{ key: string; holder: { id: string }; fencingToken: number }> }

const acquire = (t: TestServer, token: string, key: string, wait = false) =>
  t.api<{ lock?: { fencingToken: number } }>('/api/locks/acquire', {
    method: 'POST',
    token,
    json: { key, wait },
  })

describe.skipIf(!postgres || skipWithoutRedis)('migrate-to-cluster', () => {
  let redis: PrivateRedis
  let database: TestDatabase | null = null
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    await cleanup()
    await database?.drop()
    database = null
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('moves a populated data folder into PostgreSQL, and a node finds it all', async () => {
    if (!postgres) return
    // A home deployment, on SQLite.
    const home = await startTestServer({ auth: true, setupCode: SETUP_CODE, node: null })
    const owner = await setupOwner(home)
    const boardId = await createBoard(home, owner.token, owner.workspaceId, 'cut-a')
    const ed = await invite(home, owner.token, owner.workspaceId, 'editor', 'Ed')
    const doc = new Y.Doc()
    await synced(home.provider(boardId, doc, { token: owner.token }))
    createTask(doc, { id: 't1', title: 'Grade the night shots', order: 'a0', createdBy: 'x' })
    await eventually(async () => {
      const check = new Y.Doc()
      await synced(home.provider(boardId, check, { token: owner.token }))
      expect(board(check).tasks.get('t1')?.get('title')).toBe('Grade the night shots')
    })
    // Ed holds t1's lock; Olive waits, and is served (a notification) when Ed lets go.
    const key = `${boardId}/task/t1`
    expect((await acquire(home, ed.token, key)).status).toBe(200)
    expect((await acquire(home, owner.token, key, true)).status).toBe(202)
    await home.api('/api/locks/release', { method: 'POST', token: ed.token, json: { key } })
    const held = await home.api<Locks>(`/api/locks?board=${boardId}`, { token: owner.token })
    const token = held.body.locks[0]?.fencingToken as number
    expect(held.body.locks[0]?.holder.id).toBe(owner.user.id)
    const png = largePng(3000)
    const uploaded = await fetch(`${home.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'image/png' },
      body: png as Uint8Array<ArrayBuffer>,
    })
    const { media } = (await uploaded.json()) as { media: { url: string } }
    // A share link with a guest who joined by it (link_guests points at share_links).
    const link = await home.api<{ link: { token: string } }>(`/api/boards/${boardId}/links`, {
      method: 'POST',
      token: owner.token,
      json: { role: 'reviewer' },
    })
    expect(link.status).toBe(201)
    const guest = await home.api<{ accessToken: string }>(
      `/api/links/${link.body.link.token}/join`,
      { method: 'POST', json: { name: 'Gwen' } },
    )
    expect(guest.status).toBe(200)
    const log = await home.api<Events>(`/api/events?stream=board:${boardId}&limit=1000`, {
      token: owner.token,
    })
    expect(log.body.events.length).toBeGreaterThan(3)
    await home.close()

    // Into a cluster's empty database.
    database = await createTestDatabase(postgres)
    const config: Config = {
      ...home.config,
      cluster: {
        databaseUrl: database.url,
        redisUrl: redis.url,
        redisPrefix: 'migrated:',
        nodeId: 'first',
        leaseMs: 3000,
      },
    }
    const printed: string[] = []
    await runAdmin(['migrate-to-cluster'], { config, print: (line) => printed.push(line) })
    expect(printed.join('\n')).toMatch(/copied .*\d+ users.*into PostgreSQL/)
    // Once only: a second run finds the database in use.
    await expect(runAdmin(['migrate-to-cluster'], { config, print: () => {} })).rejects.toThrow(
      'already holds users or boards',
    )

    // A node on the migrated database, on the same data folder (its signing secret).
    const node = await startTestServer({
      auth: true,
      dataDir: home.dataDir,
      node: joinCluster({ config }),
    })
    expect((await node.api('/api/me', { token: owner.token })).status).toBe(200)
    const gwen = await node.api<{ guest: { boardId: string } }>('/api/me', {
      token: guest.body.accessToken,
    })
    expect(gwen.status).toBe(200)
    expect(gwen.body.guest).toMatchObject({ boardId })
    const login = await node.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'Ed', password: 'Ed-password' },
    })
    expect(login.status).toBe(200)
    const moved = new Y.Doc()
    await synced(node.provider(boardId, moved, { token: owner.token }))
    expect(board(moved).tasks.get('t1')?.get('title')).toBe('Grade the night shots')
    const after = await node.api<Events>(`/api/events?stream=board:${boardId}&limit=1000`, {
      token: owner.token,
    })
    expect(after.body.events).toEqual(log.body.events)
    const inbox = await node.api<{ notifications: Array<{ type: string }> }>('/api/notifications', {
      token: owner.token,
    })
    expect(inbox.body.notifications.map((n) => n.type)).toContain('lock.granted')
    const file = await fetch(node.url + media.url, {
      headers: { authorization: `Bearer ${owner.token}` },
    })
    expect(file.status).toBe(200)
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png)
    // The lock: same holder and token; Ed is refused, and gets a larger token after.
    const locks = await node.api<Locks>(`/api/locks?board=${boardId}`, { token: owner.token })
    expect(locks.body.locks).toEqual([
      expect.objectContaining({ key, holder: expect.objectContaining({ id: owner.user.id }) }),
    ])
    expect(locks.body.locks[0]?.fencingToken).toBe(token)
    expect((await acquire(node, ed.token, key)).status).toBe(409)
    const released = await node.api('/api/locks/release', {
      method: 'POST',
      token: owner.token,
      json: { key },
    })
    expect(released.status).toBe(200)
    const next = await acquire(node, ed.token, key)
    expect(next.status).toBe(200)
    expect(next.body.lock?.fencingToken).toBeGreaterThan(token)
  })
})
