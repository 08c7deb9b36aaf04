/**
 * The task board: columns by status, each windowed so a thousand cards open fast. Cards move
 * by dragging their grip (pointer events: mouse, pen and touch alike) or by the move buttons
 * (keyboard and small screens); order is a fractional index. Editing takes the task's lock.
 */
import { generateKeyBetween } from 'fractional-indexing'
import { createEffect, createMemo, createSignal, For, onCleanup, Show } from 'solid-js'
import ArrowDown from 'lucide-solid/icons/arrow-down'
import ArrowLeft from 'lucide-solid/icons/arrow-left'
import ArrowRight from 'lucide-solid/icons/arrow-right'
import ArrowUp from 'lucide-solid/icons/arrow-up'
import GripVertical from 'lucide-solid/icons/grip-vertical'
import Lock from 'lucide-solid/icons/lock'
import Pencil from 'lucide-solid/icons/pencil'
import Plus from 'lucide-solid/icons/plus'
import { newId } from '../../../shared/ids.ts'
import {
  board as boardTypes,
  createTask,
  taskStatuses,
  type TaskJson,
  type TaskStatus,
} from '../../../shared/schema/board.ts'
import { useBoard } from '../lib/board-store.ts'
import { current } from '../lib/router.ts'
import { ItemPeers } from './Avatars.tsx'
import { TaskEditor } from './TaskEditor.tsx'
import { showToast } from './ui/toast.tsx'
import { VirtualList } from './ui/VirtualList.tsx'

type Task = TaskJson

export const columnNames: Record<TaskStatus, string> = {
  todo: 'To do',
  doing: 'Doing',
  review: 'Review',
  done: 'Done',
}

interface Drag {
  id: string
  pointerId: number
  startX: number
  startY: number
  dx: number
  dy: number
  target: { status: TaskStatus; beforeId: string | null } | null
}

export function TaskBoard() {
  const board = useBoard()
  const [editing, setEditing] = createSignal<string | null>(null)
  const [drag, setDrag] = createSignal<Drag | null>(null)
  // Grouped and sorted once per change of the tasks, not once per column read.
  const columns = createMemo(() => {
    const grouped: Record<TaskStatus, Task[]> = { todo: [], doing: [], review: [], done: [] }
    for (const task of Object.values(board.tasks)) {
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
    const at = index < 0 ? list.length : index
    const order = generateKeyBetween(list[at - 1]?.order ?? null, list[at]?.order ?? null)
    board.conn.transact((doc) => {
      const task = boardTypes(doc).tasks.get(id)
      task?.set('status', status)
      task?.set('order', order)
      task?.set('updatedAt', Date.now())
    })
  }
  const moveBy = (id: string, status: TaskStatus, step: -1 | 1) => {
    const list = column(status)
    const index = list.findIndex((t) => t.id === id)
    if (index < 0 || (step < 0 && index === 0) || (step > 0 && index === list.length - 1)) return
    const target = list[index + step + (step > 0 ? 1 : 0)]
    moveTo(id, status, target?.id ?? null)
  }
  const nextStatus = (status: TaskStatus, by: 1 | -1): TaskStatus | undefined =>
    taskStatuses[taskStatuses.indexOf(status) + by]
  const startEdit = async (id: string) => {
    if (!board.canEdit()) return
    if (!(await board.locks.take('task', id))) {
      const holder = board.locks.holderOf('task', id)
      showToast(
        'error',
        'Someone else is editing this task',
        `${holder?.name ?? 'Another person'} holds it; ask to be notified when it is free.`,
      )
      return
    }
    setEditing(id)
    board.presence.set({ editing: { entityType: 'task', entityId: id } })
  }
  const stopEdit = async () => {
    const id = editing()
    if (!id) return
    setEditing(null)
    board.presence.set({ editing: null })
    await board.locks.release('task', id)
  }
  onCleanup(() => void stopEdit())

  // A deep link to a task (#/b/<id>/task/<taskId>) brings it into view and focuses it.
  const linked = () => {
    const r = current()
    return r.page === 'board' ? r.taskId : null
  }
  createEffect(() => {
    const id = linked()
    if (!id) return
    setTimeout(() => {
      const element = document.querySelector<HTMLElement>(`[data-testid="task-${id}"]`)
      element?.scrollIntoView({ block: 'center' })
      element?.focus()
    }, 50)
  })

  // Dragging: the card follows the pointer; the drop target is whatever card or column is
  // under it (found with elementsFromPoint, so windowed columns need no bookkeeping).
  const targetAt = (x: number, y: number, id: string): Drag['target'] => {
    for (const el of document.elementsFromPoint(x, y)) {
      const card = (el as HTMLElement).closest?.<HTMLElement>('[data-task-id]')
      if (card && card.dataset.taskId !== id) {
        const status = card.dataset.status as TaskStatus
        const rect = card.getBoundingClientRect()
        const list = column(status)
        const index = list.findIndex((t) => t.id === card.dataset.taskId)
        const before = y < rect.top + rect.height / 2 ? list[index] : list[index + 1]
        return {
          status,
          beforeId: before?.id === id ? (list[index + 2]?.id ?? null) : (before?.id ?? null),
        }
      }
      const col = (el as HTMLElement).closest?.<HTMLElement>('[data-column]')
      if (col) return { status: col.dataset.column as TaskStatus, beforeId: null }
    }
    return null
  }
  const onGripDown = (e: PointerEvent, task: Task) => {
    if (!board.canEdit() || e.button !== 0) return
    e.preventDefault()
    ;(e.currentTarget as HTMLElement).setPointerCapture(e.pointerId)
    setDrag({
      id: task.id,
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      dx: 0,
      dy: 0,
      target: null,
    })
  }
  const onGripMove = (e: PointerEvent) => {
    const d = drag()
    if (!d || d.pointerId !== e.pointerId) return
    setDrag({
      ...d,
      dx: e.clientX - d.startX,
      dy: e.clientY - d.startY,
      target: targetAt(e.clientX, e.clientY, d.id),
    })
  }
  const onGripUp = (e: PointerEvent) => {
    const d = drag()
    if (!d || d.pointerId !== e.pointerId) return
    setDrag(null)
    if (e.type !== 'pointercancel' && d.target && Math.hypot(d.dx, d.dy) > 4)
      moveTo(d.id, d.target.status, d.target.beforeId)
  }

  return (
    <section class="tasks" aria-label="Task board">
      <Show when={board.canEdit()}>
        <form
          class="inline-form task-form"
          onSubmit={(event) => {
            event.preventDefault()
            const input = event.currentTarget.elements.namedItem('task-title') as HTMLInputElement
            const last = column('todo').at(-1)
            board.conn.transact((doc) =>
              createTask(doc, {
                id: newId(),
                title: input.value,
                order: generateKeyBetween(last?.order ?? null, null),
                createdBy: board.me.id,
              }),
            )
            input.value = ''
          }}
        >
          <label class="field grow">
            <span class="field-label">New task</span>
            <input
              name="task-title"
              class="input"
              required
              maxLength={200}
              placeholder="What needs doing?"
            />
          </label>
          <button type="submit" class="button primary">
            <Plus size={16} aria-hidden="true" /> Add task
          </button>
        </form>
      </Show>
      <div class="columns">
        <For each={taskStatuses as TaskStatus[]}>
          {(status) => (
            <section
              class="column"
              classList={{ 'drop-here': drag()?.target?.status === status }}
              aria-label={columnNames[status]}
              data-column={status}
              data-task-count={column(status).length}
            >
              <h3 class="column-head">
                {columnNames[status]} <span class="count">{column(status).length}</span>
              </h3>
              <VirtualList
                items={column(status)}
                estimate={118}
                key={(t) => t.id}
                class="column-list"
                label={`${columnNames[status]} tasks`}
              >
                {(task) => {
                  const holder = () => board.locks.holderOf('task', task.id)
                  const lockedByOther = () =>
                    !!holder() && holder()?.id !== board.me.id && editing() !== task.id
                  const dragging = () => drag()?.id === task.id
                  return (
                    <article
                      class="task"
                      classList={{
                        dragging: dragging(),
                        'drop-before': drag()?.target?.beforeId === task.id && !dragging(),
                      }}
                      style={
                        dragging()
                          ? { transform: `translate(${drag()?.dx ?? 0}px, ${drag()?.dy ?? 0}px)` }
                          : {}
                      }
                      tabIndex={-1}
                      data-task-id={task.id}
                      data-status={status}
                      data-testid={`task-${task.id}`}
                      onFocusIn={() =>
                        board.presence.set({ view: { entityType: 'task', entityId: task.id } })
                      }
                      onPointerEnter={() =>
                        board.presence.set({ view: { entityType: 'task', entityId: task.id } })
                      }
                    >
                      <Show when={editing() === task.id} fallback={<TaskCard task={task} />}>
                        <TaskEditor task={task} onDone={() => void stopEdit()} />
                      </Show>
                      <div class="task-foot">
                        <ItemPeers
                          peers={board.presence.peers()}
                          entityType="task"
                          entityId={task.id}
                        />
                        <Show when={lockedByOther()}>
                          <p class="lock-badge" role="status">
                            <Lock size={14} aria-hidden="true" /> Locked by {holder()?.name}
                            <Show
                              when={!board.locks.waiting()[board.locks.keyOf('task', task.id)]}
                              fallback={<span class="muted"> — you are next</span>}
                            >
                              <button
                                type="button"
                                class="button ghost small"
                                onClick={() => void board.locks.notifyWhenFree('task', task.id)}
                              >
                                Notify me when free
                              </button>
                            </Show>
                          </p>
                        </Show>
                        <Show when={board.canEdit() && editing() !== task.id}>
                          <div class="task-actions">
                            <button
                              type="button"
                              class="icon-button ghost grip"
                              aria-label={`Drag ${task.title}`}
                              disabled={lockedByOther()}
                              onPointerDown={(e) => onGripDown(e, task)}
                              onPointerMove={onGripMove}
                              onPointerUp={onGripUp}
                              onPointerCancel={onGripUp}
                            >
                              <GripVertical size={16} />
                            </button>
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              onClick={() => void startEdit(task.id)}
                              aria-label={`Edit ${task.title}`}
                            >
                              <Pencil size={16} />
                            </button>
                            {/* Alternatives to dragging: up, down, and to the neighbouring columns. */}
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              aria-label={`Move ${task.title} up`}
                              onClick={() => moveBy(task.id, status, -1)}
                            >
                              <ArrowUp size={16} />
                            </button>
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              aria-label={`Move ${task.title} down`}
                              onClick={() => moveBy(task.id, status, 1)}
                            >
                              <ArrowDown size={16} />
                            </button>
                            <Show when={nextStatus(status, -1)}>
                              {(prev) => (
                                <button
                                  type="button"
                                  class="icon-button ghost"
                                  disabled={lockedByOther()}
                                  aria-label={`Move ${task.title} to ${columnNames[prev()]}`}
                                  onClick={() => moveTo(task.id, prev(), null)}
                                >
                                  <ArrowLeft size={16} />
                                </button>
                              )}
                            </Show>
                            <Show when={nextStatus(status, 1)}>
                              {(next) => (
                                <button
                                  type="button"
                                  class="icon-button ghost"
                                  disabled={lockedByOther()}
                                  aria-label={`Move ${task.title} to ${columnNames[next()]}`}
                                  onClick={() => moveTo(task.id, next(), null)}
                                >
                                  <ArrowRight size={16} />
                                </button>
                              )}
                            </Show>
                          </div>
                        </Show>
                      </div>
                    </article>
                  )
                }}
              </VirtualList>
            </section>
          )}
        </For>
      </div>
    </section>
  )
}

function TaskCard(props: { task: Task }) {
  const board = useBoard()
  const assignee = () => board.members().find((m) => m.id === props.task.assigneeId)
  return (
    <>
      <h4 class="task-title">{props.task.title}</h4>
      <p class="task-meta">
        <span class={`chip priority ${props.task.priority}`}>{props.task.priority}</span>
        <Show when={assignee()}>
          {(a) => (
            <span class="assignee">
              <span class="avatar tiny" style={{ background: a().color }} aria-hidden="true">
                {a().name.slice(0, 1).toUpperCase()}
              </span>
              {a().name}
            </span>
          )}
        </Show>
        <Show when={props.task.dueAt}>
          {(due) => <span class="muted">due {new Date(due()).toLocaleDateString()}</span>}
        </Show>
      </p>
      <Show when={props.task.description}>
        <p class="task-description">{props.task.description}</p>
      </Show>
    </>
  )
}
