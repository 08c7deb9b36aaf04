import { For } from 'solid-js'
import {
  board as boardTypes,
  taskPriorities,
  taskStatuses,
  type TaskJson,
  type TaskPriority,
  type TaskStatus,
} from '../../../shared/schema/board.ts'
import { useBoard } from '../lib/board-store.ts'
import { applyTextDiff } from '../lib/text.ts'

const statusNames: Record<TaskStatus, string> = {
  todo: 'To do',
  doing: 'Doing',
  review: 'Review',
  done: 'Done',
}

/** Field edits go straight into the shared task, one key each (docs/product.md, "The data"). */
export function TaskEditor(props: { task: TaskJson; onDone: () => void }) {
  const board = useBoard()
  const set = (key: keyof TaskJson & string, value: unknown) =>
    board.conn.transact((doc) => {
      const task = boardTypes(doc).tasks.get(props.task.id)
      task?.set(key as never, value as never)
      task?.set('updatedAt', Date.now())
    })
  const description = () => boardTypes(board.conn.doc).tasks.get(props.task.id)?.get('description')
  return (
    <div class="editor">
      <label class="field">
        <span class="field-label">Title</span>
        <input
          class="input"
          value={props.task.title}
          onInput={(e) => set('title', e.currentTarget.value)}
        />
      </label>
      <div class="field-row">
        <label class="field">
          <span class="field-label">Status</span>
          <select
            class="select"
            value={props.task.status}
            onChange={(e) => set('status', e.currentTarget.value)}
          >
            <For each={taskStatuses as TaskStatus[]}>
              {(s) => <option value={s}>{statusNames[s]}</option>}
            </For>
          </select>
        </label>
        <label class="field">
          <span class="field-label">Priority</span>
          <select
            class="select"
            value={props.task.priority}
            onChange={(e) => set('priority', e.currentTarget.value)}
          >
            <For each={taskPriorities as TaskPriority[]}>
              {(p) => <option value={p}>{p}</option>}
            </For>
          </select>
        </label>
      </div>
      <div class="field-row">
        <label class="field">
          <span class="field-label">Assignee</span>
          <select
            class="select"
            value={props.task.assigneeId ?? ''}
            onChange={(e) => set('assigneeId', e.currentTarget.value || null)}
          >
            <option value="">Nobody</option>
            <For each={board.members()}>{(m) => <option value={m.id}>{m.name}</option>}</For>
          </select>
        </label>
        <label class="field">
          <span class="field-label">Due</span>
          <input
            class="input"
            type="date"
            value={props.task.dueAt ? new Date(props.task.dueAt).toISOString().slice(0, 10) : ''}
            onChange={(e) =>
              set('dueAt', e.currentTarget.value ? Date.parse(e.currentTarget.value) : null)
            }
          />
        </label>
      </div>
      <label class="field">
        <span class="field-label">Description</span>
        <textarea
          class="input"
          rows={3}
          value={props.task.description ?? ''}
          onInput={(e) => {
            const text = description()
            if (!text) return
            const value = e.currentTarget.value
            board.conn.transact(() => applyTextDiff(text, value))
          }}
        />
      </label>
      <button type="button" class="button primary" onClick={() => props.onDone()}>
        Done editing
      </button>
    </div>
  )
}
