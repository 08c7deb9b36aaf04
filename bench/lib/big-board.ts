/**
 * A large board written through the document socket with the stock y-websocket provider
 * (Node, `ws`), in a few big transactions so the per-connection message limit is no concern.
 */
import { generateNKeysBetween } from 'fractional-indexing'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  board,
  createAnnotation,
  createTask,
  createThread,
  taskStatuses,
} from '../../shared/schema/board.ts'
import { waitUntil } from './async.ts'

export interface BoardSize {
  tasks: number
  annotations: number
  comments: number
}

const AUTHOR = 'bench'

/** A synced provider on a fresh doc; awareness is cleared so it sends no renewals. */
export async function openProvider(
  docUrl: string,
  boardId: string,
): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(docUrl, boardId, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  provider.awareness.setLocalState(null)
  if (!(await waitUntil(() => provider.synced, 15_000)))
    throw new Error(`provider for ${boardId} did not sync within 15 s`)
  return { doc, provider }
}

export function counts(doc: Y.Doc): BoardSize {
  const b = board(doc)
  let comments = 0
  for (const t of b.threads.values()) comments += t.get('comments')?.length ?? 0
  return { tasks: b.tasks.size, annotations: b.annotations.size, comments }
}

export const taskId = (i: number): string => `t${String(i).padStart(5, '0')}`

/** Fills the board, then waits until a second, fresh provider reads all of it back. */
export async function fillBoard(docUrl: string, boardId: string, size: BoardSize): Promise<void> {
  const { doc, provider } = await openProvider(docUrl, boardId)
  const orders = generateNKeysBetween(null, null, size.tasks)
  const chunk = 250
  for (let from = 0; from < size.tasks; from += chunk) {
    doc.transact(() => {
      for (let i = from; i < Math.min(size.tasks, from + chunk); i++)
        createTask(doc, {
          id: taskId(i),
          title: `Task ${i}`,
          description: `Description of task ${i}`,
          status: taskStatuses[i % taskStatuses.length] ?? 'todo',
          order: orders[i] ?? 'a0',
          createdBy: AUTHOR,
        })
    })
  }
  const threads = Math.max(1, size.annotations)
  doc.transact(() => {
    addMedia(doc, {
      id: 'm1',
      kind: 'image',
      hash: 'f'.repeat(64),
      name: 'big.png',
      bytes: 1,
      addedBy: AUTHOR,
    })
    for (let i = 0; i < threads; i++) {
      const id = `a${i}`
      if (i < size.annotations) {
        const shape = { type: 'pin' as const, x: (i % 25) / 25, y: Math.floor(i / 25) / 25 }
        createAnnotation(doc, {
          id,
          mediaId: 'm1',
          shape,
          color: '#e53',
          authorId: AUTHOR,
          threadId: `th${i}`,
        })
      }
      createThread(doc, {
        id: `th${i}`,
        anchor: i < size.annotations ? { type: 'annotation', id } : { type: 'board', id: boardId },
        createdBy: AUTHOR,
      })
    }
  })
  doc.transact(() => {
    for (let c = 0; c < size.comments; c++)
      addComment(doc, `th${c % threads}`, { id: `c${c}`, authorId: AUTHOR, body: `Comment ${c}` })
  })
  const check = await openProvider(docUrl, boardId)
  const full = (): boolean => {
    const n = counts(check.doc)
    return (
      n.tasks === size.tasks && n.annotations === size.annotations && n.comments === size.comments
    )
  }
  const ok = await waitUntil(full, 30_000, 50)
  const seen = counts(check.doc)
  check.provider.destroy()
  provider.destroy()
  if (!ok) throw new Error(`server holds ${JSON.stringify(seen)} of ${JSON.stringify(size)}`)
}
