/** For tests: a board of `n` tasks stored by y-indexeddb under `name`, as a visit leaves it. */
import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'
import { createTask } from '../../../shared/schema/board.ts'

export async function storeTasks(name: string, n: number) {
  const doc = new Y.Doc()
  const idb = new IndexeddbPersistence(name, doc)
  await idb.whenSynced
  doc.transact(() => {
    for (let i = 0; i < n; i++)
      createTask(doc, { id: `t${i}`, title: `Task ${i}`, order: `a${i}`, createdBy: 'u' })
  })
  return { doc, idb }
}
