import { render, screen } from '@solidjs/testing-library'
import { createRoot, For } from 'solid-js'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../../shared/schema/board.ts'
import { createYMapStore, LOCAL, makeYMapStore } from './yjs-store.ts'

describe('the Yjs → Solid store adapter', () => {
  it('mirrors entities and follows local and remote changes, one entity at a time', () => {
    const doc = new Y.Doc()
    createTask(doc, { id: 't1', title: 'First', order: 'a0', createdBy: 'u' })
    const { store, dispose } = makeYMapStore<{ title: string; status: string }>(
      board(doc).tasks as never,
    )
    expect(store.t1?.title).toBe('First')
    const before = store.t1

    // A remote change (another replica's update) lands in the store.
    const remote = new Y.Doc()
    Y.applyUpdate(remote, Y.encodeStateAsUpdate(doc))
    createTask(remote, { id: 't2', title: 'Second', order: 'a1', createdBy: 'v' })
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(remote, Y.encodeStateVector(doc)))
    expect(store.t2?.title).toBe('Second')
    expect(store.t1).toBe(before) // untouched entities keep their identity

    doc.transact(() => updateTask(doc, 't1', { status: 'doing' }), LOCAL)
    expect(store.t1?.status).toBe('doing')
    board(doc).tasks.delete('t2')
    expect(store.t2).toBeUndefined()
    dispose()
    updateTask(doc, 't1', { status: 'done' })
    expect(store.t1?.status).toBe('doing')
  })

  it('re-renders a component when the document changes', async () => {
    const doc = new Y.Doc()
    createTask(doc, { id: 't1', title: 'Render me', order: 'a0', createdBy: 'u' })
    render(() => {
      const tasks = createYMapStore<{ title: string }>(board(doc).tasks as never)
      return (
        <ul>
          <For each={Object.values(tasks)}>{(t) => <li>{t.title}</li>}</For>
        </ul>
      )
    })
    expect(screen.getByText('Render me')).toBeTruthy()
    updateTask(doc, 't1', { title: 'Renamed live' })
    expect(await screen.findByText('Renamed live')).toBeTruthy()
  })

  it('stops observing when its owner is disposed', () => {
    const doc = new Y.Doc()
    createTask(doc, { id: 't1', title: 'x', order: 'a0', createdBy: 'u' })
    let store: Record<string, { title: string }> = {}
    createRoot((dispose) => {
      store = createYMapStore<{ title: string }>(board(doc).tasks as never)
      dispose()
    })
    updateTask(doc, 't1', { title: 'after' })
    expect(store.t1?.title).toBe('x')
  })
})
