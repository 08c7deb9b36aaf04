/**
 * Sharing one board by link: the owner makes a comment-only link in the Share dialog, an
 * outsider opens it, names themselves and lands on that board as a guest who can comment but
 * not change tasks or media; the owner sees their comment under their name, and revoking the
 * link shuts the guest out at once.
 */
import { describe, expect, it } from 'vitest'
import { createBoard } from '../accounts.ts'
import { freshServer, open, person, useBrowserHarness, view, WAIT } from './people.ts'

useBrowserHarness()

describe('sharing a board by link', () => {
  it('lets an outsider comment as a guest until the link is revoked', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'shared')
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
    await gus.page.getByRole('button', { name: 'Open the board' }).click()
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

    await olive.page.getByRole('button', { name: 'Share' }).click()
    await dialog.getByRole('button', { name: 'Revoke' }).click()
    await dialog.getByRole('list', { name: 'Active links' }).waitFor({ state: 'detached' })
    await gus.page.getByText('You no longer have access to this board.').waitFor({ timeout: WAIT })
  }, 60_000)
})
