import { render, screen } from '@solidjs/testing-library'
import { createRoot, For } from 'solid-js'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../../shared/schema/board.ts'
import { createYMapStore, LOCAL, makeYMapStore, MAX_NESTING } from './yjs-store.ts'

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

  it('mirrors an entity holding a tree 20,000 levels deep without overflowing the stack', () => {
    const doc = new Y.Doc()
    createTask(doc, { id: 't1', title: 'Deep', order: 'a0', createdBy: 'u' })
    const task = board(doc).tasks.get('t1') as unknown as Y.Map<unknown>
    doc.transact(() => {
      let parent = new Y.Map<unknown>()
      task.set('notes', parent)
      for (let i = 0; i < 20_000; i++) {
        const child = new Y.Map<unknown>()
        parent.set('child', child)
        parent = child
      }
      const xml = new Y.XmlFragment()
      task.set('outline', xml)
      let node: Y.XmlFragment | Y.XmlElement = xml
      for (let i = 0; i < 20_000; i++) {
        const child = new Y.XmlElement('li')
        node.insert(0, [child])
        node = child
      }
    })
    expect(() => task.toJSON()).toThrow(RangeError) // what the adapter must not do
    const { store, dispose } = makeYMapStore<{ title: string; notes: unknown; outline: unknown }>(
      board(doc).tasks as never,
    )
    expect(store.t1?.title).toBe('Deep')
    let depth = 0
    for (let node = store.t1?.notes as Record<string, unknown> | null; node; depth++)
      node = node.child as Record<string, unknown> | null
    expect(depth).toBe(MAX_NESTING - 1)
    expect(store.t1?.outline).toBeNull()
    // It keeps following changes.
    updateTask(doc, 't1', { title: 'Still deep' })
    expect(store.t1?.title).toBe('Still deep')
    dispose()
  })
})
