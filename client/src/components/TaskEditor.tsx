import {
  board as boardTypes,
  taskPriorities,
  taskStatuses,
  type TaskJson,
  type TaskPriority,
  type TaskStatus,
} from '../../../shared/schema/board.ts'
import Trash from 'lucide-solid/icons/trash'
import { useBoard } from '../lib/board-store.ts'
import { applyTextDiff } from '../lib/text.ts'
import { dueFromInput, dueToInput } from './tasks/due.ts'
import { Select } from './ui/Select.tsx'

const statusNames: Record<TaskStatus, string> = {
  todo: 'To do',
  doing: 'Doing',
  review: 'Review',
  done: 'Done',
}

/**
 * Every field of a task, each edit straight into the shared task, one key each (docs/product.md,
 * "The data"); the title never becomes empty. The editor holds the task's lock (TaskBoard).
 */
export function TaskEditor(props: { task: TaskJson; onDone: () => void; onDelete: () => void }) {
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
          maxLength={200}
          required
          onInput={(e) => {
            const title = e.currentTarget.value
            if (title.trim()) set('title', title)
          }}
          // Left empty, the field shows the title it kept.
          onBlur={(e) => (e.currentTarget.value = props.task.title)}
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
          <span class="field-label">Due date</span>
          <input
            class="input"
            type="date"
            value={dueToInput(props.task.dueAt)}
            onChange={(e) => set('dueAt', dueFromInput(e.currentTarget.value))}
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
      <div class="editor-actions">
        <button type="button" class="button primary" onClick={() => props.onDone()}>
          Done editing
        </button>
        <button type="button" class="button ghost danger" onClick={() => props.onDelete()}>
          <Trash size={16} aria-hidden="true" /> Delete task
        </button>
      </div>
    </div>
  )
}
