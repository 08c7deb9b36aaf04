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
import { Select } from './ui/Select.tsx'

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
        <Select
          label="Status"
          value={props.task.status}
          options={(taskStatuses as TaskStatus[]).map((s) => ({ value: s, label: statusNames[s] }))}
          onChange={(v) => set('status', v)}
        />
        <Select
          label="Priority"
          value={props.task.priority}
          options={(taskPriorities as TaskPriority[]).map((p) => ({ value: p, label: p }))}
          onChange={(v) => set('priority', v)}
        />
      </div>
      <div class="field-row">
        <Select
          label="Assignee"
          value={props.task.assigneeId ?? ''}
          options={[
            { value: '', label: 'Nobody' },
            ...board.members().map((m) => ({ value: m.id, label: m.name })),
          ]}
          onChange={(v) => set('assigneeId', v || null)}
        />
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
