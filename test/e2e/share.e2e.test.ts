/**
 * Sharing one board by link: the owner makes a comment-only link in the Share dialog, an
 * outsider opens it, names themselves and lands on that board as a guest who can comment but
 * not change tasks or media; the owner sees their comment under their name; a change their role
 * forbids (sent by a tampered client with their own token) is reverted while the comment sent
 * with it stays, and their browser says so; revoking the link shuts the guest out at once.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  board as boardTypes,
  createTask,
  createThread,
} from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually, synced, type TestServer } from '../harness.ts'
import { freshServer, open, person, useBrowserHarness, view, WAIT } from './people.ts'

/** The board as the server committed it. */
async function stored(t: TestServer, token: string, boardId: string) {
  const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
  const doc = new Y.Doc()
  Y.applyUpdate(doc, exported.body)
  return boardTypes(doc)
}

useBrowserHarness()

describe('sharing a board by link', () => {
  it('lets an outsider comment as a guest until the link is revoked', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shared')
    const setup = t.provider(boardId, new Y.Doc(), { token: owner.token })
    await synced(setup)
    createTask(setup.doc, { id: 'keep', title: 'Keep this title', order: 'a0', createdBy: 'x' })
    await eventually(async () => {
      expect((await stored(t, owner.token, boardId)).tasks.has('keep')).toBe(true)
    }, WAIT)
    setup.destroy()
    const olive = await open(t, 'Olive', boardId)
    await olive.page.getByRole('button', { name: 'Share' }).click()
    const dialog = olive.page.getByRole('dialog', { name: 'Share' })
    await dialog.getByRole('button', { name: 'Create link' }).click()
    const url = await dialog.getByLabel('New board link').inputValue()
    expect(url).toMatch(new RegExp(`^${t.url}/link/[A-Za-z0-9_-]{32}$`))
    await dialog.getByRole('list', { name: 'Active links' }).getByText('Comment only').waitFor()
    await olive.page.keyboard.press('Escape')

    const gus = await person('gus')
    await gus.page.goto(url)
    await gus.page.getByRole('heading', { name: 'Join a shared board' }).waitFor({ timeout: WAIT })
    await gus.page.getByLabel('Name').fill('gus')
    const joined = gus.page.waitForResponse((r) => /\/api\/links\/[^/]+\/join$/.test(r.url()))
    await gus.page.getByRole('button', { name: 'Open the board' }).click()
    const guest = (await (await joined).json()) as { accessToken: string; user: { id: string } }
    gus.signedIn = true
    await gus.page.getByTestId('status').waitFor({ timeout: WAIT })
    expect(gus.page.url()).toContain(`#/b/${boardId}`)
    // A reviewer comments and marks, but adds no media and changes no task.
    expect(await gus.page.getByLabel('Upload media').count()).toBe(0)
    await gus.page
      .getByRole('combobox', { name: 'Comment', exact: true })
      .fill('Looks great from here')
    await gus.page.getByRole('button', { name: 'Post' }).last().click()
    await view(gus.page, 'Tasks')
    expect(await gus.page.getByLabel('New task').count()).toBe(0)

    const comment = olive.page.getByTestId(/^comment-/).filter({ hasText: 'Looks great from here' })
    await comment.waitFor({ timeout: WAIT })
    expect(await comment.locator('.comment-author').textContent()).toBe('gus')

    // A tampered client of gus's (his own token) renames the task and comments in one update:
    // the rename is reverted for everyone, the comment stays, and gus's browser is told.
    const tampered = t.provider(boardId, new Y.Doc(), { token: guest.accessToken })
    await synced(tampered)
    tampered.doc.transact(() => {
      boardTypes(tampered.doc).tasks.get('keep')?.set('title', 'Renamed by a guest')
      createThread(tampered.doc, {
        id: 'from-script',
        anchor: { type: 'board', id: boardId },
        createdBy: guest.user.id,
      })
      addComment(tampered.doc, 'from-script', {
        id: 'c-script',
        authorId: guest.user.id,
        body: 'Sent with a rename',
      })
    })
    await gus.page.getByText('Your role does not allow that change.').waitFor({ timeout: WAIT })
    await olive.page
      .getByTestId(/^comment-/)
      .filter({ hasText: 'Sent with a rename' })
      .waitFor({ timeout: WAIT })
    await eventually(() => {
      expect(boardTypes(tampered.doc).tasks.get('keep')?.get('title')).toBe('Keep this title')
    }, WAIT)
    const after = await stored(t, owner.token, boardId)
    expect(after.tasks.get('keep')?.get('title')).toBe('Keep this title')
    expect(after.threads.has('from-script')).toBe(true)
    await view(olive.page, 'Tasks')
    await olive.page.getByRole('heading', { name: 'Keep this title' }).waitFor({ timeout: WAIT })
    expect(await olive.page.getByText('Renamed by a guest').count()).toBe(0)
    await view(olive.page, 'Review')
    tampered.destroy()

    await olive.page.getByRole('button', { name: 'Share' }).click()
    await dialog.getByRole('button', { name: 'Revoke' }).click()
    await dialog.getByRole('list', { name: 'Active links' }).waitFor({ state: 'detached' })
    await gus.page.getByText('You no longer have access to this board.').waitFor({ timeout: WAIT })
  }, 60_000)
})
