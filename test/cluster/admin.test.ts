/**
 * The admin commands on a cluster (docs/cluster.md, "Admin commands on a cluster"), run as the
 * operator runs them — the real CLI with the nodes' LOUPE_DATABASE_URL, LOUPE_REDIS_URL and
 * prefix — beside running nodes on a real PostgreSQL and a private Redis:
 * invite and reset-password reach every node; compact works beside the board's owner without
 * taking the board; backup is one snapshot in the single machine's format, which restores into
 * a data folder or into an empty cluster with its nodes stopped.
 */
import Database from 'better-sqlite3'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { snapshotIntoSqlite } from '../../server/admin/cluster-admin.ts'
import { runAdmin, UsageError } from '../../server/admin/commands.ts'
import { PgPool } from '../../server/cluster/pg/pool.ts'
import { closeDb, openDb } from '../../server/db/open.ts'
import { defaultConfig } from '../../server/config.ts'
import { CloseCode } from '../../shared/protocol/close-codes.ts'
import { board, createTask } from '../../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner, type SessionBody } from '../accounts.ts'
import { adminCli, adminConfig, adminEnv } from '../admin-cli.ts'
import { cleanup, closeCode, eventually, synced, tempDir, type TestServer } from '../harness.ts'
import { liveClient } from '../live-client.ts'
import { largePng } from '../media-samples.ts'
import { storedRows } from '../stored-rows.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis } from './redis.ts'
import { clusterFor, joinCluster, newCluster } from './test-node.ts'

const postgres = await testPostgres()

afterEach(cleanup)

/** Two nodes of a new cluster, auth on; the second shares the first's data folder (its secret). */
async function twoNodes(overrides: Parameters<typeof authServer>[1] = {}) {
  const first = await authServer(undefined, { node: newCluster(), ...overrides })
  const second = await authServer(first.dataDir, { node: joinCluster(first), ...overrides })
  return { first, second }
}

const cli = (t: TestServer, ...args: string[]) => adminCli(args, adminEnv(t))

describe.skipIf(!postgres || skipWithoutRedis)('admin commands on a cluster', () => {
  it('invite and reset-password: the link works on any node; a reset ends the user’s sessions on every node', async () => {
    const { first, second } = await twoNodes({ tokenCheckMs: 50 })
    const owner = await setupOwner(first)
    const boardId = await createBoard(first, owner.token, owner.workspaceId, 'reel')

    const made = await adminCli(
      ['invite', owner.workspaceId, 'editor', '--uses', '1'],
      adminEnv(first, { LOUPE_PUBLIC_URL: 'https://loupe.example' }),
    )
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: '' })
    const code = /^https:\/\/loupe\.example\/invite\/(\S+)$/m.exec(made.stdout)?.[1] as string
    const accepted = await second.api<SessionBody>(`/api/invites/${code}/accept`, {
      method: 'POST',
      json: { name: 'gus', password: 'gus-password' },
    })
    expect(accepted.status).toBe(200)
    const gus = accepted.body.accessToken

    // Gus has a document socket on each node, each on a board that node runs (so each node
    // closes its own), and a live session on the second.
    const elsewhere = await createBoard(first, owner.token, owner.workspaceId, 'grade')
    const olive = await second.raw(elsewhere, `?token=${owner.token}`)
    await eventually(() => expect(second.server.rooms.loaded(elsewhere)).toBeDefined())
    const onFirst = await first.raw(boardId, `?token=${gus}`)
    await eventually(() => expect(first.server.rooms.loaded(boardId)).toBeDefined())
    const onSecond = await second.raw(elsewhere, `?token=${gus}`)
    const closes = [closeCode(onFirst), closeCode(onSecond)]
    const live = await liveClient(second, { token: gus })
    await live.hello()

    const reset = await cli(first, 'reset-password', 'gus')
    expect({ code: reset.code, stderr: reset.stderr }).toEqual({ code: 0, stderr: '' })
    const password = /new password for gus: (\S+)/.exec(reset.stdout)?.[1] as string

    expect(await Promise.all(closes)).toEqual([CloseCode.unauthorized, CloseCode.unauthorized])
    expect(await live.closed).toBe(CloseCode.unauthorized)
    for (const node of [first, second])
      expect((await node.api('/api/me', { token: gus })).status).toBe(401)
    expect(olive.readyState).toBe(olive.OPEN)
    const old = await first.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'gus', password: 'gus-password' },
    })
    expect(old.status).toBe(401)
    const fresh = await second.api<SessionBody>('/api/auth/login', {
      method: 'POST',
      json: { name: 'gus', password },
    })
    expect((await first.api('/api/me', { token: fresh.body.accessToken })).status).toBe(200)

    // Bad input: a clear message and a non-zero exit, as on one machine.
    const nobody = await cli(first, 'reset-password', 'nobody')
    expect(nobody.code).toBe(1)
    expect(nobody.stderr).toContain('no user nobody')
    const badWorkspace = await cli(first, 'invite', 'no-such-workspace', 'editor')
    expect(badWorkspace.code).toBe(2)
    expect(badWorkspace.stderr).toContain('no workspace no-such-workspace')
  }, 60_000)

  it('compacts a board beside its owner, which keeps serving it (no takeover), and exports it', async () => {
    const { first, second } = await twoNodes({ compactAfterUpdates: 100_000 })
    const owner = await setupOwner(first)
    const boardId = await createBoard(first, owner.token, owner.workspaceId, 'grade')
    const doc = new Y.Doc()
    const provider = first.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    let disconnects = 0
    provider.on('status', ({ status }: { status: string }) => {
      if (status === 'disconnected') disconnects++
    })
    for (let i = 0; i < 30; i++)
      createTask(doc, { id: `t${i}`, title: `shot ${i}`, order: `a${i}`, createdBy: 'x' })
    const room = () => first.server.rooms.loaded(boardId)
    await eventually(() => expect(room()?.doc.getMap('tasks').size).toBe(30))
    await room()?.whenCommitted()
    const rows = storedRows(first)
    const epochOf = async () =>
      (
        await rows.get<{ owner_epoch: number }>(
          'SELECT owner_epoch FROM boards WHERE id = ?',
          boardId,
        )
      )?.owner_epoch
    const epoch = await epochOf()
    const logged = await rows.count(
      'SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?',
      boardId,
    )
    expect(logged).toBeGreaterThan(0)

    const out: string[] = []
    const context = { config: adminConfig(first), print: (line: string) => out.push(line) }
    await runAdmin(['compact', boardId], context)
    expect(out.at(-1)).toMatch(new RegExp(`^${boardId}: folded ${logged} updates`))
    expect(
      await rows.count('SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?', boardId),
    ).toBe(0)
    // Nobody took the board: the same owner and epoch, the same room, its socket never dropped.
    expect(await epochOf()).toBe(epoch)
    expect(room()).toBeDefined()

    // The owner keeps committing after it; a client on the other node gets everything.
    createTask(doc, { id: 'after', title: 'after compaction', order: 'b0', createdBy: 'x' })
    await eventually(async () =>
      expect(
        await rows.count('SELECT COUNT(*) AS n FROM doc_updates WHERE board_id = ?', boardId),
      ).toBeGreaterThan(0),
    )
    const elsewhere = new Y.Doc()
    await synced(second.provider(boardId, elsewhere, { token: owner.token }))
    await eventually(() => expect(board(elsewhere).tasks.size).toBe(31))
    expect(disconnects).toBe(0)

    // Export through the real CLI: what is committed (all of it: the other node got it
    // relayed, and the owner relays only what it committed), as one Yjs update.
    const file = join(tempDir(), 'grade.yjs')
    const exported = await cli(first, 'export', boardId, file)
    expect({ code: exported.code, stderr: exported.stderr }).toEqual({ code: 0, stderr: '' })
    const copy = new Y.Doc()
    Y.applyUpdate(copy, readFileSync(file))
    expect(copy.getMap('tasks').toJSON()).toEqual(doc.getMap('tasks').toJSON())
    await expect(runAdmin(['compact', 'missing'], context)).rejects.toThrow(UsageError)
    const missing = await cli(first, 'export', 'missing', file)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('no board missing')
  }, 60_000)

  it('backs up a writing cluster as one snapshot in the single machine’s format; restores into a data folder or an empty cluster, refusing one in use', async () => {
    const t = await authServer(undefined, { node: newCluster() })
    const owner = await setupOwner(t)
    const ed = await invite(t, owner.token, owner.workspaceId, 'editor', 'Ed')
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'cut')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    createTask(doc, { id: 'ship', title: 'Ship it', order: 'a0', createdBy: owner.user.id })
    await eventually(() => expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').size).toBe(1))
    await t.server.rooms.loaded(boardId)?.whenCommitted()
    const picture = largePng(5000)
    const uploaded = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'image/png' },
      body: picture as Uint8Array<ArrayBuffer>,
    })
    const { media } = (await uploaded.json()) as { media: { hash: string } }
    const key = `${boardId}/task/ship`
    const acquired = await t.api<{ lock: { fencingToken: number } }>('/api/locks/acquire', {
      method: 'POST',
      token: ed.token,
      json: { key },
    })
    expect(acquired.status).toBe(200)

    // Backed up while the node keeps committing edits and their events.
    const archive = join(tempDir(), 'cluster.loupe')
    let finished = false
    const running = cli(t, 'backup', archive).finally(() => (finished = true))
    let edits = 0
    while (!finished) {
      createTask(doc, { id: `busy${edits}`, title: 'busy', order: `b${edits}`, createdBy: 'x' })
      edits++
      // About one edit per millisecond: the node commits all the while the copy reads.
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    const made = await running
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: '' })
    expect(edits).toBeGreaterThan(100)
    expect(made.stdout).toContain('1 media file and the signing secret')

    // One machine restores it, as any archive.
    const folder = join(tempDir(), 'home')
    const home = await adminCli(['restore', archive], { LOUPE_DATA_DIR: folder })
    expect({ code: home.code, stderr: home.stderr }).toEqual({ code: 0, stderr: '' })
    const db = new Database(join(folder, 'loupe.db'), { readonly: true })
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      // One snapshot (a copy read table by table, while the node writes, would tear these
      // apart): every stream's last seq is its newest event.
      const streams = db
        .prepare<[], { stream: string; last_seq: number; newest: number | null }>(
          `SELECT s.stream, s.last_seq, (SELECT max(seq) FROM events e WHERE e.stream = s.stream)
             AS newest FROM event_streams s`,
        )
        .all()
      expect(streams.length).toBeGreaterThan(0)
      for (const s of streams) expect(s.newest, s.stream).toBe(s.last_seq)
      const stored = new Y.Doc()
      const snapshot = db
        .prepare<[string], { state: Buffer }>('SELECT state FROM doc_snapshots WHERE board_id = ?')
        .get(boardId)
      if (snapshot) Y.applyUpdate(stored, snapshot.state)
      for (const row of db
        .prepare<[string], { data: Buffer }>(
          'SELECT data FROM doc_updates WHERE board_id = ? ORDER BY seq',
        )
        .all(boardId))
        Y.applyUpdate(stored, row.data)
      // Each task event is committed with its task: every task an event names is stored.
      const named = db
        .prepare<[string], { data: string }>(
          "SELECT data FROM events WHERE stream = ? AND type = 'task.created'",
        )
        .all(`board:${boardId}`)
        .map((e) => (JSON.parse(e.data) as { taskId: string }).taskId)
      expect(named.length).toBeGreaterThan(1)
      expect(named.filter((id) => !board(stored).tasks.has(id))).toEqual([])
    } finally {
      db.close()
    }
    /** What a deployment restored from the archive must have: all of it, and larger tokens. */
    const findsItAll = async (node: TestServer) => {
      expect((await node.api('/api/me', { token: owner.token })).status).toBe(200)
      const login = await node.api('/api/auth/login', {
        method: 'POST',
        json: { name: 'Ed', password: 'Ed-password' },
      })
      expect(login.status).toBe(200)
      const check = new Y.Doc()
      await synced(node.provider(boardId, check, { token: owner.token }))
      expect(board(check).tasks.get('ship')?.get('title')).toBe('Ship it')
      const served = await fetch(`${node.url}/api/media/${media.hash}`, {
        headers: { authorization: `Bearer ${owner.token}` },
      })
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture)
      // Held locks end with the backup's sessions, but tokens keep growing past every one.
      const later = await node.api<{ lock: { fencingToken: number } }>('/api/locks/acquire', {
        method: 'POST',
        token: owner.token,
        json: { key },
      })
      expect(later.status).toBe(200)
      expect(later.body.lock.fencingToken).toBeGreaterThan(acquired.body.lock.fencingToken)
      await node.close()
    }
    await findsItAll(await authServer(folder, { node: null }))

    // Not into a database in use: the cluster it came from.
    const inUse = await cli(t, 'restore', archive)
    expect(inUse.code).toBe(1)
    expect(inUse.stderr).toContain('refusing to restore into the PostgreSQL database')
    expect(inUse.stderr).toContain('already holds 2 users and 1 board')

    // An empty cluster: refused while one of its nodes runs; a damaged archive writes nothing.
    const dataDir = tempDir()
    const target = await clusterFor(dataDir)
    try {
      const env = adminEnv({
        config: defaultConfig({ dataDir, cluster: target.cluster, auth: false }),
      })
      // (Auth on, before setup: a node that writes nothing; a folder of its own, whose secret
      // the restore must not meet.)
      const early = await authServer(undefined, {
        node: joinCluster({ config: { ...defaultConfig(), cluster: target.cluster } }),
      })
      const refused = await adminCli(['restore', archive], env)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('refusing to restore while nodes are running')
      await early.close()

      const raw = gunzipSync(readFileSync(archive))
      raw[raw.byteLength - 40] = (raw[raw.byteLength - 40] as number) ^ 0xff
      const damaged = join(tempDir(), 'damaged.loupe')
      writeFileSync(damaged, gzipSync(raw))
      const broken = await adminCli(['restore', damaged], env)
      expect(broken.code).toBe(1)
      expect(broken.stderr).toContain('is not a whole Loupe backup')
      expect(await storedRows(early).count('SELECT COUNT(*) AS n FROM users')).toBe(0)

      const restored = await adminCli(['restore', archive], env)
      expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' })
      expect(restored.stdout).toContain('into the cluster')

      // A node of the restored cluster.
      const node = await authServer(dataDir, { node: newCluster() })
      expect(node.config.cluster?.databaseUrl).toBe(target.cluster.databaseUrl)
      await findsItAll(node)
    } finally {
      await cleanup()
      await target.drop()
    }
  }, 120_000)

  it('copies the database as of one moment: rows committed while the tables are read are in none of them', async () => {
    const t = await authServer(undefined, { node: newCluster() })
    const owner = await setupOwner(t)
    const cluster = t.config.cluster
    if (!cluster) throw new Error('not a node')
    const other = new PgPool({ url: cluster.databaseUrl })
    const pool = new PgPool({ url: cluster.databaseUrl })
    const sqlite = openDb(join(tempDir(), 'loupe.db'), { sync: 'normal' })
    try {
      // Once the users are read, another connection commits a user and their membership:
      // a copy that saw the membership without its user would be torn (and refused by SQLite).
      await snapshotIntoSqlite(pool, sqlite, async (table) => {
        if (table !== 'users') return
        await other.transaction(async (tx) => {
          await tx.query(
            "INSERT INTO users (id, name, color, password_hash, created_at) VALUES ('late', 'Late', '#000', 'x', 0)",
          )
          await tx.query(
            "INSERT INTO members (workspace_id, user_id, role, joined_at) VALUES ($1, 'late', 'viewer', 0)",
            [owner.workspaceId],
          )
        })
      })
      const members = sqlite
        .prepare<[], { user_id: string }>('SELECT user_id FROM members')
        .all()
        .map((m) => m.user_id)
      expect(members).toEqual([owner.user.id])
      expect(sqlite.prepare('SELECT id FROM users').all()).toEqual([{ id: owner.user.id }])
      // The late rows are committed: only the copy does not have them.
      expect(
        await storedRows(t).count("SELECT COUNT(*) AS n FROM members WHERE user_id = 'late'"),
      ).toBe(1)
    } finally {
      closeDb(sqlite)
      await pool.close()
      await other.close()
    }
  })
})
