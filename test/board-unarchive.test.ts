/**
 * Deleting a board archives it; its owners can take that back (POST /api/boards/<id>/unarchive,
 * the Undo of the web app's delete): the board returns to listings with its content, opens
 * again, and the workspace stream says so. Nobody else can.
 */
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { CloseCode } from '../shared/protocol/close-codes.ts'
import { board, createTask } from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, closeCode, eventually, synced } from './harness.ts'

afterEach(cleanup)

describe('an owner undoes deleting a board', () => {
  it('brings it back with its content; editors cannot, and nothing else comes back', async () => {
    const t = await authServer()
    const owner = await setupOwner(t)
    const editor = await invite(t, owner.token, owner.workspaceId, 'editor', 'bea')
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'spring')
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    createTask(doc, { id: 't1', title: 'Keep me', order: 'a0', createdBy: owner.user.id })
    await eventually(async () => {
      const stored = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, {
        token: owner.token,
      })
      const copy = new Y.Doc()
      Y.applyUpdate(copy, stored.body)
      expect(board(copy).tasks.get('t1')?.get('title')).toBe('Keep me')
    })
    provider.destroy()
    const listed = async () =>
      (
        await t.api<{ boards: Array<{ id: string }> }>(
          `/api/workspaces/${owner.workspaceId}/boards`,
          { token: owner.token },
        )
      ).body.boards.map((b) => b.id)

    expect(
      (await t.api(`/api/boards/${boardId}`, { method: 'DELETE', token: owner.token })).status,
    ).toBe(200)
    expect(await listed()).toEqual([])
    // Only owners undo: an editor is refused, a board that is not archived is left as it is.
    const refused = await t.api(`/api/boards/${boardId}/unarchive`, {
      method: 'POST',
      token: editor.token,
    })
    expect(refused.status).toBe(403)
    expect(await listed()).toEqual([])
    const missing = await t.api(`/api/boards/nope/unarchive`, {
      method: 'POST',
      token: owner.token,
    })
    expect(missing.status).toBe(404)

    const back = await t.api<{ board: { id: string; archivedAt: number | null } }>(
      `/api/boards/${boardId}/unarchive`,
      { method: 'POST', token: owner.token },
    )
    expect(back.status).toBe(200)
    expect(back.body.board).toMatchObject({ id: boardId, archivedAt: null })
    expect(await listed()).toEqual([boardId])
    // It opens again, with its content.
    const again = new Y.Doc()
    const reopened = t.provider(boardId, again, { token: editor.token })
    await synced(reopened)
    expect(board(again).tasks.get('t1')?.get('title')).toBe('Keep me')
    reopened.destroy()
    // The workspace stream says it went and came back (the sidebar refreshes on these).
    const events = await t.api<{ events: Array<{ event: { type: string; data: unknown } }> }>(
      `/api/events?stream=workspace:${owner.workspaceId}&after=0`,
      { token: owner.token },
    )
    expect(events.body.events.map((e) => e.event.type)).toEqual(
      expect.arrayContaining(['board.archived', 'board.unarchived']),
    )
    // A second undo changes nothing and says nothing more.
    await t.api(`/api/boards/${boardId}/unarchive`, { method: 'POST', token: owner.token })
    const after = await t.api<{ events: Array<{ event: { type: string } }> }>(
      `/api/events?stream=workspace:${owner.workspaceId}&after=0`,
      { token: owner.token },
    )
    expect(after.body.events.filter((e) => e.event.type === 'board.unarchived')).toHaveLength(1)
    // Archived again, its sockets are refused as before.
    await t.api(`/api/boards/${boardId}`, { method: 'DELETE', token: owner.token })
    expect(await closeCode(await t.raw(boardId, `?token=${owner.token}`))).toBe(CloseCode.notFound)
  })
})
