import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { applyGuarded } from './lock-guard.ts'

const holder = { id: 'ann', name: 'Ann' }

function pair() {
  const server = new Y.Doc()
  const client = new Y.Doc()
  createTask(server, { id: 'locked', title: 'Approve cut', order: 'a0', createdBy: 'ann' })
  createTask(server, { id: 'free', title: 'Free task', order: 'a1', createdBy: 'ann' })
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  return { server, client }
}

/** Applies `edit` made on the client to the server, guarded. */
function guarded(server: Y.Doc, client: Y.Doc, edit: () => void) {
  const before = Y.encodeStateVector(client)
  edit()
  const update = Y.encodeStateAsUpdate(client, before)
  const origin = { peer: 'bob' }
  return applyGuarded(server, origin, new Map([['task/locked', holder]]), () =>
    Y.applyUpdate(server, update, origin),
  )
}

describe('edits to locked entities are reverted, others kept', () => {
  it('reverts field and nested text changes to the locked task in the same update as a kept edit', () => {
    const { server, client } = pair()
    const reverted = guarded(server, client, () =>
      client.transact(() => {
        updateTask(client, 'locked', { title: 'Hijacked', status: 'done' })
        board(client).tasks.get('locked')?.get('description')?.insert(0, 'sneaky')
        updateTask(client, 'free', { title: 'Edited freely' })
      }),
    )
    expect([...reverted.keys()]).toEqual(['task/locked'])
    const tasks = board(server).tasks
    expect(tasks.get('locked')?.get('title')).toBe('Approve cut')
    expect(tasks.get('locked')?.get('status')).toBe('todo')
    expect(tasks.get('locked')?.get('description')?.toString()).toBe('')
    expect(tasks.get('free')?.get('title')).toBe('Edited freely')
  })

  it('restores a deleted locked task and keeps a new task from the same update', () => {
    const { server, client } = pair()
    guarded(server, client, () =>
      client.transact(() => {
        board(client).tasks.delete('locked')
        createTask(client, { id: 'new', title: 'New', order: 'a2', createdBy: 'bob' })
      }),
    )
    expect(board(server).tasks.get('locked')?.get('title')).toBe('Approve cut')
    expect(board(server).tasks.get('new')?.get('title')).toBe('New')
  })

  it('leaves an update that touches no locked entity alone', () => {
    const { server, client } = pair()
    const reverted = guarded(server, client, () => updateTask(client, 'free', { status: 'doing' }))
    expect(reverted.size).toBe(0)
    expect(board(server).tasks.get('free')?.get('status')).toBe('doing')
  })
})
