import { generateKeyBetween } from 'fractional-indexing'
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js'
import { newId } from '../../../shared/ids.ts'
import {
  board,
  createTask,
  taskPriorities,
  taskStatuses,
  type TaskPriority,
  type TaskJson,
  type TaskStatus,
} from '../../../shared/schema/board.ts'
import type { Member } from '../lib/api.ts'
import type { BoardConnection } from '../lib/board.ts'
import type { Locks } from '../lib/locks.ts'
import type { Peer, Presence } from '../lib/presence.ts'
import { applyTextDiff } from '../lib/text.ts'
import { ItemPeers } from './Avatars.tsx'

type Task = TaskJson

const columnNames: Record<TaskStatus, string> = {
  todo: 'To do',
  doing: 'Doing',
  review: 'Review',
  done: 'Done',
}

/** Columns by status; drag (or the move buttons) to reorder with fractional indexes. */
export function TaskBoard(props: {
  conn: BoardConnection
  tasks: Record<string, Task>
  me: { id: string }
  members: Member[]
  readOnly: boolean
  locks: Locks
  presence: Presence
  peers: Peer[]
}) {
  const [editing, setEditing] = createSignal<string | null>(null)
  const [dragged, setDragged] = createSignal<string | null>(null)
  // Grouped and sorted once per change of the tasks, not once per column read.
  const columns = createMemo(() => {
    const grouped: Record<TaskStatus, Task[]> = { todo: [], doing: [], review: [], done: [] }
    for (const task of Object.values(props.tasks)) {
      if (task) (grouped[(task.status ?? 'todo') as TaskStatus] ?? grouped.todo).push(task)
    }
    for (const list of Object.values(grouped)) {
      list.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : a.id < b.id ? -1 : 1))
    }
    return grouped
  })
  const column = (status: TaskStatus) => columns()[status]
  const moveTo = (id: string, status: TaskStatus, beforeId: string | null) => {
    const list = column(status).filter((t) => t.id !== id)
    const index = beforeId ? list.findIndex((t) => t.id === beforeId) : list.length
    const order = generateKeyBetween(list[index - 1]?.order ?? null, list[index]?.order ?? null)
    props.conn.transact((doc) => {
      const task = board(doc).tasks.get(id)
      task?.set('status', status)
      task?.set('order', order)
      task?.set('updatedAt', Date.now())
    })
  }
  const moveBy = (id: string, status: TaskStatus, step: -1 | 1) => {
    const list = column(status)
    const index = list.findIndex((t) => t.id === id)
    const target = list[index + step + (step > 0 ? 1 : 0)]
    if (index < 0 || (step < 0 && index === 0) || (step > 0 && index === list.length - 1)) return
    moveTo(id, status, target?.id ?? null)
  }
  const nextStatus = (status: TaskStatus): TaskStatus | undefined =>
    taskStatuses[taskStatuses.indexOf(status) + 1]
  const startEdit = async (id: string) => {
    if (props.readOnly) return
    if (!(await props.locks.take('task', id))) return
    setEditing(id)
    props.presence.set({ editing: { entityType: 'task', entityId: id } })
  }
  const stopEdit = async () => {
    const id = editing()
    if (!id) return
    setEditing(null)
    props.presence.set({ editing: null })
    await props.locks.release('task', id)
  }
  onCleanup(() => void stopEdit())
  return (
    <section class="tasks" aria-label="Task board">
      <div class="columns">
        <For each={taskStatuses as TaskStatus[]}>
          {(status) => (
            <section
              class="column"
              aria-label={columnNames[status]}
              onDragOver={(e) => !props.readOnly && e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault()
                const id = dragged()
                if (id) moveTo(id, status, null)
              }}
            >
              <h3>{columnNames[status]}</h3>
              <For each={column(status)}>
                {(task) => {
                  const holder = () => props.locks.holderOf('task', task.id)
                  const lockedByOther = () =>
                    !!holder() && holder()?.id !== props.me.id && editing() !== task.id
                  return (
                    <article
                      class="task"
                      draggable={!props.readOnly && !lockedByOther()}
                      onDragStart={() => setDragged(task.id)}
                      onDrop={(e) => {
                        e.preventDefault()
                        e.stopPropagation()
                        const id = dragged()
                        if (id && id !== task.id) moveTo(id, status, task.id)
                      }}
                      onFocusIn={() =>
                        props.presence.set({ view: { entityType: 'task', entityId: task.id } })
                      }
                      onPointerEnter={() =>
                        props.presence.set({ view: { entityType: 'task', entityId: task.id } })
                      }
                      data-testid={`task-${task.id}`}
                    >
                      <Show
                        when={editing() === task.id}
                        fallback={<TaskCard task={task} members={props.members} />}
                      >
                        <TaskEditor
                          conn={props.conn}
                          task={task}
                          members={props.members}
                          onDone={() => void stopEdit()}
                        />
                      </Show>
                      <ItemPeers peers={props.peers} entityType="task" entityId={task.id} />
                      <Show when={lockedByOther()}>
                        <p class="lock-badge" role="status">
                          🔒 Locked by {holder()?.name}
                          <Show
                            when={!props.locks.waiting()[props.locks.keyOf('task', task.id)]}
                            fallback={<span class="muted"> — you are next</span>}
                          >
                            <button
                              type="button"
                              class="link"
                              onClick={() => void props.locks.notifyWhenFree('task', task.id)}
                            >
                              Notify me when free
                            </button>
                          </Show>
                        </p>
                      </Show>
                      <Show when={!props.readOnly && editing() !== task.id}>
                        <button
                          type="button"
                          class="link"
                          disabled={lockedByOther()}
                          onClick={() => void startEdit(task.id)}
                          aria-label={`Edit ${task.title}`}
                        >
                          Edit
                        </button>
                        {/* Keyboard alternatives to dragging: up, down, and to the next column. */}
                        <button
                          type="button"
                          class="link"
                          disabled={lockedByOther()}
                          aria-label={`Move ${task.title} up`}
                          onClick={() => moveBy(task.id, status, -1)}
                        >
                          ↑
                        </button>
                        <button
                          type="button"
                          class="link"
                          disabled={lockedByOther()}
                          aria-label={`Move ${task.title} down`}
                          onClick={() => moveBy(task.id, status, 1)}
                        >
                          ↓
                        </button>
                        <Show when={nextStatus(status)}>
                          {(next) => (
                            <button
                              type="button"
                              class="link"
                              disabled={lockedByOther()}
                              aria-label={`Move ${task.title} to ${columnNames[next()]}`}
                              onClick={() => moveTo(task.id, next(), null)}
                            >
                              →
                            </button>
                          )}
                        </Show>
                      </Show>
                    </article>
                  )
                }}
              </For>
            </section>
          )}
        </For>
      </div>
      <Show when={!props.readOnly}>
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault()
            const input = event.currentTarget.elements.namedItem('task-title') as HTMLInputElement
            const last = column('todo').at(-1)
            props.conn.transact((doc) =>
              createTask(doc, {
                id: newId(),
                title: input.value,
                order: generateKeyBetween(last?.order ?? null, null),
                createdBy: props.me.id,
              }),
            )
            input.value = ''
          }}
        >
          <label>
            New task <input name="task-title" required maxLength={200} />
          </label>
          <button type="submit">Add task</button>
        </form>
      </Show>
    </section>
  )
}

function TaskCard(props: { task: Task; members: Member[] }) {
  const assignee = () => props.members.find((m) => m.id === props.task.assigneeId)
  return (
    <>
      <h4>{props.task.title}</h4>
      <p class="meta">
        <span class={`priority ${props.task.priority}`}>{props.task.priority}</span>
        <Show when={assignee()}>{(a) => <span> · {a().name}</span>}</Show>
        <Show when={props.task.dueAt}>
          {(due) => <span> · due {new Date(due()).toLocaleDateString()}</span>}
        </Show>
      </p>
      <Show when={props.task.description}>
        <p class="description">{props.task.description}</p>
      </Show>
    </>
  )
}

/** Field edits go straight into the shared task, one key each (docs/product.md, "The data"). */
function TaskEditor(props: {
  conn: BoardConnection
  task: Task
  members: Member[]
  onDone: () => void
}) {
  const set = (key: keyof TaskJson & string, value: unknown) =>
    props.conn.transact((doc) => {
      const task = board(doc).tasks.get(props.task.id)
      task?.set(key as never, value as never)
      task?.set('updatedAt', Date.now())
    })
  const description = () => board(props.conn.doc).tasks.get(props.task.id)?.get('description')
  return (
    <div class="editor">
      <label>
        Title{' '}
        <input value={props.task.title} onInput={(e) => set('title', e.currentTarget.value)} />
      </label>
      <label>
        Status
        <select value={props.task.status} onChange={(e) => set('status', e.currentTarget.value)}>
          <For each={taskStatuses as TaskStatus[]}>
            {(s) => <option value={s}>{columnNames[s]}</option>}
          </For>
        </select>
      </label>
      <label>
        Assignee
        <select
          value={props.task.assigneeId ?? ''}
          onChange={(e) => set('assigneeId', e.currentTarget.value || null)}
        >
          <option value="">Nobody</option>
          <For each={props.members}>{(m) => <option value={m.id}>{m.name}</option>}</For>
        </select>
      </label>
      <label>
        Priority
        <select
          value={props.task.priority}
          onChange={(e) => set('priority', e.currentTarget.value)}
        >
          <For each={taskPriorities as TaskPriority[]}>{(p) => <option value={p}>{p}</option>}</For>
        </select>
      </label>
      <label>
        Due{' '}
        <input
          type="date"
          value={props.task.dueAt ? new Date(props.task.dueAt).toISOString().slice(0, 10) : ''}
          onChange={(e) =>
            set('dueAt', e.currentTarget.value ? Date.parse(e.currentTarget.value) : null)
          }
        />
      </label>
      <label>
        Description
        <textarea
          value={props.task.description ?? ''}
          onInput={(e) => {
            const text = description()
            if (!text) return
            const value = e.currentTarget.value
            props.conn.transact(() => applyTextDiff(text, value))
          }}
        />
      </label>
      <button type="button" onClick={() => props.onDone()}>
        Done editing
      </button>
    </div>
  )
}
