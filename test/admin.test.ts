import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { runAdmin, UsageError } from '../server/admin/commands.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { adminCli, adminConfig, adminEnv } from './admin-cli.ts'
import { cleanup, eventually, startTestServer, synced, tempDir } from './harness.ts'
import { storedRows } from './stored-rows.ts'

afterEach(cleanup)

describe('admin commands', () => {
  it('compacts and exports a board while the server runs', async () => {
    const dataDir = tempDir()
    const t = await startTestServer({ dataDir, compactAfterUpdates: 10_000 })
    const boardId = await t.createBoard('Ops')
    const doc = new Y.Doc()
    await synced(t.provider(boardId, doc))
    for (let i = 0; i < 50; i++)
      createTask(doc, { id: `t${i}`, title: `task ${i}`, order: `a${i}`, createdBy: 'local' })
    await eventually(() =>
      expect(t.server.rooms.loaded(boardId)?.doc.getMap('tasks').size).toBe(50),
    )

    const out: string[] = []
    const context = {
      config: adminConfig(t, { publicUrl: t.url }),
      print: (line: string) => out.push(line),
    }
    await runAdmin(['compact', '--all'], context)
    expect(out.at(-1)).toMatch(new RegExp(`^${boardId}: folded \\d+ updates`))
    expect(await storedRows(t).count('SELECT COUNT(*) AS n FROM doc_updates')).toBe(0)

    // The running server keeps working on the compacted board.
    createTask(doc, { id: 'after', title: 'after compaction', order: 'b0', createdBy: 'local' })
    const fresh = new Y.Doc()
    await synced(t.provider(boardId, fresh))
    await eventually(() => expect(board(fresh).tasks.size).toBe(51))

    const file = join(tempDir(), 'board.yjs')
    await eventually(async () => {
      await runAdmin(['export', boardId, file], context)
      const exported = new Y.Doc()
      Y.applyUpdate(exported, readFileSync(file))
      expect(exported.getMap('tasks').toJSON()).toEqual(doc.getMap('tasks').toJSON())
    })

    await expect(runAdmin(['export', 'missing', file], context)).rejects.toThrow(UsageError)
    await expect(runAdmin(['explode'], context)).rejects.toThrow(UsageError)
  })

  it('makes invite links and resets passwords for the home operator', async () => {
    const dataDir = tempDir()
    const t = await startTestServer({ dataDir, auth: true, setupCode: 'admin-test-code' })
    const setup = await t.api<{ accessToken: string }>('/api/setup', {
      method: 'POST',
      json: { code: 'admin-test-code', name: 'Olive', password: 'owner-password' },
    })
    const me = await t.api<{ workspaces: Array<{ id: string }> }>('/api/me', {
      token: setup.body.accessToken,
    })
    const workspaceId = me.body.workspaces[0]?.id as string
    const out: string[] = []
    const context = {
      config: adminConfig(t, { publicUrl: 'https://loupe.home' }),
      print: (line: string) => out.push(line),
    }

    await runAdmin(['invite', workspaceId, 'editor', '--uses', '2'], context)
    const link = out.find((l) => l.startsWith('https://loupe.home/invite/')) as string
    const code = link.split('/').at(-1) as string
    const accepted = await t.api(`/api/invites/${code}/accept`, {
      method: 'POST',
      json: { name: 'gus', password: 'gus-password' },
    })
    expect(accepted.status).toBe(200)
    await expect(runAdmin(['invite', workspaceId, 'boss'], context)).rejects.toThrow(UsageError)

    await runAdmin(['reset-password', 'gus'], context)
    const password = (out.at(-1) as string).split(': ').at(-1) as string
    const old = await t.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'gus', password: 'gus-password' },
    })
    expect(old.status).toBe(401)
    const fresh = await t.api('/api/auth/login', {
      method: 'POST',
      json: { name: 'gus', password },
    })
    expect(fresh.status).toBe(200)
  })
  it('refuses a bad --hours or --uses through the real CLI with exit code 2', async () => {
    const dataDir = tempDir()
    const t = await startTestServer({ dataDir, auth: true, setupCode: 'admin-cli-code' })
    const setup = await t.api<{ accessToken: string }>('/api/setup', {
      method: 'POST',
      json: { code: 'admin-cli-code', name: 'Olive', password: 'owner-password' },
    })
    const me = await t.api<{ workspaces: Array<{ id: string }> }>('/api/me', {
      token: setup.body.accessToken,
    })
    const workspaceId = me.body.workspaces[0]?.id as string
    const env = adminEnv(t, { LOUPE_PUBLIC_URL: 'https://loupe.home' })
    const invite = (...flags: string[]) =>
      adminCli(['invite', workspaceId, 'editor', ...flags], env)
    const invitesStored = () => storedRows(t).count('SELECT COUNT(*) AS n FROM invites')

    // The same workspace and role with good flags: an invite is made (exit 0).
    const good = await invite('--hours', '48', '--uses', '3')
    expect(good.stderr).toBe('')
    expect(good.code).toBe(0)
    expect(good.stdout).toMatch(/^https:\/\/loupe\.home\/invite\/\S+$/m)
    expect(good.stdout).toContain('3 uses')
    expect(await invitesStored()).toBe(1)

    for (const [flag, value] of [
      ['--hours', 'soon'],
      ['--hours', '0'],
      ['--hours=-5', undefined],
      ['--uses', 'NaN'],
      ['--uses', '0'],
      ['--uses=-1', undefined],
    ] as const) {
      const result = await invite(...(value === undefined ? [flag] : [flag, value]))
      expect(result.code, `${flag} ${value}`).toBe(2)
      const name = flag.slice(2).split('=')[0] as string
      expect(result.stderr).toContain(`--${name} must be a whole number from 1 to`)
      expect(result.stderr).toContain('Usage: npm run admin')
      expect(result.stdout).toBe('')
    }
    // The same checks in process, for the bounds shared with the HTTP route.
    const context = { config: adminConfig(t), print: () => {} }
    for (const flags of [['--hours', '1.5'], ['--hours', '2161'], ['--uses', '1001'], ['--uses']])
      await expect(runAdmin(['invite', workspaceId, 'viewer', ...flags], context)).rejects.toThrow(
        UsageError,
      )
    expect(await invitesStored()).toBe(1)
  }, 60_000)
})
