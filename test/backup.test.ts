import Database from 'better-sqlite3'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { MAGIC } from '../server/admin/backup.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { authServer, createBoard, setupOwner, type SessionBody } from './accounts.ts'
import { adminCli, adminEnv, restoreIntoNew } from './admin-cli.ts'
import {
  cleanup,
  eventually,
  startTestServer,
  synced,
  tempDir,
  type TestServer,
} from './harness.ts'
import { largePng } from './media-samples.ts'

afterEach(cleanup)

/** `backup <file>` of a running server's deployment (its data folder, or its cluster). */
const backup = (t: TestServer, file: string) => adminCli(['backup', file], adminEnv(t))
/** `restore <file>` into a data folder on one machine (an archive of either mode restores). */
const restore = (dataDir: string, file: string) =>
  adminCli(['restore', file], { LOUPE_DATA_DIR: dataDir })

/** An archive of a small running server (one board), made by the real CLI. */
async function smallArchive(): Promise<string> {
  const t = await startTestServer()
  await t.createBoard('Small')
  const file = join(tempDir(), 'small.loupe')
  const result = await backup(t, file)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return file
}

/** Where in the uncompressed archive the first entry's body starts, and the manifest. */
function layout(raw: Buffer) {
  const length = raw.readUInt32BE(MAGIC.byteLength)
  const start = MAGIC.byteLength + 4
  const manifest = JSON.parse(raw.subarray(start, start + length).toString('utf8')) as {
    entries: Array<{ path: string; size: number; sha256: string }>
  }
  return { manifest, bodies: start + length + 32 }
}

/**
 * Watches a folder; the returned function resolves with the names of everything created or
 * removed in it so far. It writes a marker file and waits for its event, which comes after
 * every earlier one (inotify keeps the order), so nothing before it is missed.
 */
function watchNames(dir: string): () => Promise<string[]> {
  const names: string[] = []
  const watcher = watch(dir, (_event, name) => names.push(String(name)))
  return async () => {
    const marker = `.marker-${names.length}`
    writeFileSync(join(dir, marker), '')
    await eventually(() => expect(names).toContain(marker))
    watcher.close()
    rmSync(join(dir, marker))
    return [...new Set(names)].filter((n) => n !== marker)
  }
}

describe('backup and restore', () => {
  it('restores the whole deployment from one archive made while the server runs', async () => {
    const dataDir = tempDir()
    const t = await authServer(dataDir)
    const owner = await setupOwner(t)
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'release-review')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc, { token: owner.token }))
    createTask(doc, { id: 'ship', title: 'Ship the backup', order: 'a0', createdBy: owner.user.id })
    // The export waits for the room's commits: once it has the task, SQLite has it.
    await eventually(async () => {
      const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
        token: owner.token,
      })
      const copy = new Y.Doc()
      Y.applyUpdate(copy, exported.body)
      expect(board(copy).tasks.get('ship')?.get('title')).toBe('Ship the backup')
    })
    const picture = largePng(20_000)
    const uploaded = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'image/png' },
      body: picture,
    })
    expect(uploaded.status).toBe(201)
    const { media } = (await uploaded.json()) as { media: { hash: string } }

    // Backed up by the real CLI while the server runs and keeps committing edits.
    const archive = join(tempDir(), 'loupe.backup')
    let finished = false
    const running = backup(t, archive).finally(() => (finished = true))
    let edits = 0
    while (!finished) {
      createTask(doc, { id: `busy${edits}`, title: 'busy', order: `b${edits}`, createdBy: 'x' })
      edits++
      await t.api('/healthz') // one round trip per edit
    }
    const made = await running
    expect(edits).toBeGreaterThan(10)
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    expect(made.stdout).toContain('1 media file and the signing secret')
    expect(statSync(archive).mode & 0o777).toBe(0o600)
    expect(readdirSync(dirname(archive))).toEqual(['loupe.backup']) // no temporary files left
    const { manifest } = layout(gunzipSync(readFileSync(archive)))
    expect(manifest.entries.map((e) => e.path).sort()).toEqual(
      ['jwt-secret', 'loupe.db', `media/${media.hash}`].sort(),
    )

    // Restored into a folder that does not exist yet.
    const restoredDir = join(tempDir(), 'restored')
    const restored = await restore(restoredDir, archive)
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(statSync(join(restoredDir, 'jwt-secret')).mode & 0o777).toBe(0o600)
    const restoredDb = new Database(join(restoredDir, 'loupe.db'), { readonly: true })
    expect(restoredDb.pragma('integrity_check', { simple: true })).toBe('ok')
    restoredDb.close()
    expect(readFileSync(join(restoredDir, 'jwt-secret'))).toEqual(
      readFileSync(join(dataDir, 'jwt-secret')),
    )

    // On one machine the server starts on the restored folder; a cluster node's archive is
    // also restored into a new cluster, whose node starts on it.
    let againDir = restoredDir
    if (t.config.cluster) {
      const intoCluster = await restoreIntoNew(archive)
      expect(intoCluster.stderr).toBe('')
      expect(intoCluster.code).toBe(0)
      againDir = intoCluster.dataDir
    }
    const again = await authServer(againDir)
    if (t.config.cluster)
      expect(again.config.cluster?.databaseUrl).not.toBe(t.config.cluster.databaseUrl)
    // A token signed before the backup still verifies: the secret came along.
    const me = await again.api<{ user: { name: string } }>('/api/me', { token: owner.token })
    expect(me.status).toBe(200)
    expect(me.body.user.name).toBe('Olive')
    // The same password signs in.
    const login = await again.api<SessionBody>('/api/auth/login', {
      method: 'POST',
      json: { name: 'Olive', password: 'owner-password' },
    })
    expect(login.status).toBe(200)
    const token = login.body.accessToken
    // The board and its task.
    const restoredDoc = new Y.Doc()
    await synced(again.provider(boardId, restoredDoc, { token }))
    expect(board(restoredDoc).tasks.get('ship')?.get('title')).toBe('Ship the backup')
    expect(board(restoredDoc).meta.get('title')).toBe('release-review')
    // The media bytes.
    const served = await fetch(`${again.url}/api/media/${media.hash}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(served.status).toBe(200)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(picture)
  }, 60_000)

  it('refuses to restore into a folder that is not empty, and leaves it alone', async () => {
    const archive = await smallArchive()
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'notes.txt'), 'keep me')
    const result = await restore(dataDir, archive)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`refusing to restore into ${dataDir}: it is not empty`)
    expect(readdirSync(dataDir)).toEqual(['notes.txt'])

    // An empty folder that exists is fine.
    const empty = tempDir()
    const ok = await restore(empty, archive)
    expect(ok.code).toBe(0)
    expect(readdirSync(empty).sort()).toEqual(['jwt-secret', 'loupe.db', 'media'])
  }, 60_000)

  it('refuses a damaged archive before writing anything', async () => {
    const archive = await smallArchive()
    const raw = gunzipSync(readFileSync(archive))
    const { manifest, bodies } = layout(raw)
    expect(manifest.entries[0]?.path).toBe('loupe.db')
    const dir = tempDir()

    // One byte changed inside the database's body, then compressed again: the gzip layer is
    // sound, only the entry's SHA-256 can tell.
    const flipped = Buffer.from(raw)
    const at = bodies + Math.floor((manifest.entries[0]?.size as number) / 2)
    flipped[at] = (flipped[at] as number) ^ 0xff
    const tampered = join(dir, 'tampered.loupe')
    writeFileSync(tampered, gzipSync(flipped))
    // Cut short: the last entry (the secret) is missing its final bytes.
    const truncated = join(dir, 'truncated.loupe')
    writeFileSync(truncated, gzipSync(raw.subarray(0, raw.byteLength - 3)))
    // A byte changed in the compressed file itself.
    const compressed = readFileSync(archive)
    const middle = Math.floor(compressed.byteLength / 2)
    compressed[middle] = (compressed[middle] as number) ^ 0x55
    const garbled = join(dir, 'garbled.loupe')
    writeFileSync(garbled, compressed)

    for (const [file, why] of [
      [tampered, 'the checksum of loupe.db does not match'],
      [truncated, 'jwt-secret is cut short'],
      [garbled, ''],
    ] as const) {
      // Watched from the parent: not even a folder may appear and vanish again.
      const parent = tempDir()
      const missing = join(parent, 'target')
      const created = watchNames(parent)
      const result = await restore(missing, file)
      expect(result.code, file).toBe(1)
      expect(result.stderr).toContain('is not a whole Loupe backup')
      expect(result.stderr).toContain(why)
      expect(result.stderr).toContain('nothing was restored')
      expect(await created()).toEqual([])
      expect(existsSync(missing)).toBe(false)

      const empty = tempDir()
      const inside = watchNames(empty)
      expect((await restore(empty, file)).code, file).toBe(1)
      expect(await inside()).toEqual([])
      expect(readdirSync(empty)).toEqual([])
    }

    // A plain SQLite file (what `backup` wrote before the archive format) gets its own hint.
    const plain = join(dir, 'old.db')
    new Database(plain).exec('CREATE TABLE t (x)').close()
    const old = await restore(join(tempDir(), 'from-old'), plain)
    expect(old.code).toBe(1)
    expect(old.stderr).toContain('is a plain SQLite database')

    // The untouched archive restores (so the refusals above are about the damage).
    const target = join(tempDir(), 'fine')
    mkdirSync(target)
    expect((await restore(target, archive)).code).toBe(0)
  }, 90_000)
})
