/**
 * The task board: columns by status, each windowed so a thousand cards open fast. Cards move
 * by dragging their grip (pointer events: mouse, pen and touch alike) or by the move buttons
 * (keyboard and small screens); order is a fractional index with ties broken by id
 * (tasks/order.ts). Editing takes the task's lock; deleting can be undone. The filter bar's
 * choices live in the URL. Shown from a past version, the board is read-only.
 */
import { createEffect, createMemo, createSignal, For, onCleanup, Show } from 'solid-js'
import ArrowDown from 'lucide-solid/icons/arrow-down'
import ArrowLeft from 'lucide-solid/icons/arrow-left'
import ArrowRight from 'lucide-solid/icons/arrow-right'
import ArrowUp from 'lucide-solid/icons/arrow-up'
import GripVertical from 'lucide-solid/icons/grip-vertical'
import Lock from 'lucide-solid/icons/lock'
import Pencil from 'lucide-solid/icons/pencil'
import Plus from 'lucide-solid/icons/plus'
import Trash from 'lucide-solid/icons/trash'
import { newId } from '../../../shared/ids.ts'
import {
  board as boardTypes,
  createTask,
  taskStatuses,
  type TaskJson,
  type TaskStatus,
} from '../../../shared/schema/board.ts'
import { useBoard } from '../lib/board-store.ts'
import { canDelete, deleteEntity } from '../lib/deletes.ts'
import { current, currentQuery } from '../lib/router.ts'
import { ItemPeers } from './Avatars.tsx'
import { TaskEditor } from './TaskEditor.tsx'
import { matches, parseFilters } from './tasks/filters.ts'
import { compareOrder, placeAt } from './tasks/order.ts'
import { TaskCard } from './tasks/TaskCard.tsx'
import { TaskFilterBar } from './tasks/TaskFilters.tsx'
import { showToast } from './ui/toast.tsx'
import { showUndoToast } from './ui/undo-toast.tsx'
import { VirtualList } from './ui/VirtualList.tsx'
import { stampIcon } from './ui/stamped-icon.ts'

type Task = TaskJson

// A card's icons, rendered once and copied (ui/stamped-icon.ts): a screen holds dozens of cards.
const icons = {
  grip: stampIcon(GripVertical, 16),
  edit: stampIcon(Pencil, 16),
  up: stampIcon(ArrowUp, 16),
  down: stampIcon(ArrowDown, 16),
  left: stampIcon(ArrowLeft, 16),
  right: stampIcon(ArrowRight, 16),
  delete: stampIcon(Trash, 16),
}

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
    for (const list of Object.values(grouped)) list.sort(compareOrder)
    return grouped
  })
  /** Every task of a column, in order: where moves are placed. */
  const column = (status: TaskStatus) => columns()[status]
  const filters = createMemo(() => parseFilters(currentQuery()))
  /** The cards a column shows: those that pass the filters. */
  const shown = createMemo(() => {
    const f = filters()
    const pick = (list: Task[]) => list.filter((t) => matches(t, f, board.me.id))
    const c = columns()
    return { todo: pick(c.todo), doing: pick(c.doing), review: pick(c.review), done: pick(c.done) }
  })
  const visible = (status: TaskStatus) => shown()[status]
  // Edits asked for while the saved first screen is shown run once the live board has taken
  // over (board.whenLive): the same tasks, so the same move, now on the live document.
  const moveTo = (id: string, status: TaskStatus, beforeId: string | null) =>
    board.whenLive(() => moveNow(id, status, beforeId))
  const moveNow = (id: string, status: TaskStatus, beforeId: string | null) => {
    const list = column(status).filter((t) => t.id !== id)
    const index = beforeId ? list.findIndex((t) => t.id === beforeId) : list.length
    const keys = placeAt(list, index < 0 ? list.length : index, id)
    board.conn.transact((doc) => {
      const tasks = boardTypes(doc).tasks
      const task = tasks.get(id)
      task?.set('status', status)
      for (const [taskId, order] of keys) tasks.get(taskId)?.set('order', order)
      task?.set('updatedAt', Date.now())
    })
  }
  /** One card up or down among the cards shown (a filtered column skips the hidden ones). */
  const moveBy = (id: string, status: TaskStatus, step: -1 | 1) =>
    board.whenLive(() => moveByNow(id, status, step))
  const moveByNow = (id: string, status: TaskStatus, step: -1 | 1) => {
    const list = visible(status)
    const index = list.findIndex((t) => t.id === id)
    if (index < 0 || (step < 0 && index === 0) || (step > 0 && index === list.length - 1)) return
    const target = list[index + step + (step > 0 ? 1 : 0)]
    moveNow(id, status, target?.id ?? null)
  }
  const remove = (id: string) =>
    board.whenLive(() => {
      const deleted = deleteEntity(board, 'task', id)
      if (deleted) showUndoToast(`Deleted ${deleted.what}`, undefined, deleted.undo)
    })
  const nextStatus = (status: TaskStatus, by: 1 | -1): TaskStatus | undefined =>
    taskStatuses[taskStatuses.indexOf(status) + by]
  const startEdit = async (id: string): Promise<void> => {
    if (board.showingFirstScreen()) return board.whenLive(() => void startEdit(id))
    if (!board.canEdit() || board.version) return
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
        const list = visible(status)
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
    <section
      class="tasks"
      aria-label="Task board"
      // The saved first screen, until the live board takes over (lib/board-store.ts).
      aria-busy={board.showingFirstScreen() || board.readingFirstScreen() ? 'true' : undefined}
      data-first-screen={board.showingFirstScreen() ? '' : undefined}
    >
      <Show when={board.canEdit()}>
        <form
          class="inline-form task-form"
          onSubmit={(event) => {
            event.preventDefault()
            const input = event.currentTarget.elements.namedItem('task-title') as HTMLInputElement
            const title = input.value
            input.value = ''
            board.whenLive(() => {
              const id = newId()
              const list = column('todo')
              // At the end of To do, with a key of its own (jittered: two people adding at
              // once rarely tie, and a tie sorts by id the same everywhere).
              const keys = new Map(placeAt(list, list.length, id))
              board.conn.transact((doc) => {
                createTask(doc, {
                  id,
                  title,
                  order: keys.get(id) as string,
                  createdBy: board.me.id,
                })
                for (const [taskId, order] of keys)
                  if (taskId !== id) boardTypes(doc).tasks.get(taskId)?.set('order', order)
              })
            })
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
      <TaskFilterBar
        filters={filters()}
        shown={taskStatuses.reduce((n, s) => n + visible(s).length, 0)}
        total={taskStatuses.reduce((n, s) => n + column(s).length, 0)}
      />
      <div class="columns">
        {/* While the first screen is read (a few ms), no columns rather than empty ones. */}
        <For each={board.readingFirstScreen() ? [] : (taskStatuses as TaskStatus[])}>
          {(status) => (
            <section
              class="column"
              classList={{ 'drop-here': drag()?.target?.status === status }}
              aria-label={columnNames[status]}
              data-column={status}
              data-task-count={visible(status).length}
            >
              <h3 class="column-head">
                {columnNames[status]} <span class="count">{visible(status).length}</span>
              </h3>
              <VirtualList
                items={visible(status)}
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
                        visited: !!board.sinceLastVisit.of('task', task.id) && !board.version,
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
                        <TaskEditor
                          task={task}
                          onDone={() => void stopEdit()}
                          onDelete={() => {
                            remove(task.id)
                            void stopEdit()
                          }}
                        />
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
                        <Show when={board.canEdit() && !board.version && editing() !== task.id}>
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
                              {icons.grip()}
                            </button>
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              onClick={() => void startEdit(task.id)}
                              aria-label={`Edit ${task.title}`}
                            >
                              {icons.edit()}
                            </button>
                            {/* Alternatives to dragging: up, down, and to the neighbouring columns. */}
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              aria-label={`Move ${task.title} up`}
                              onClick={() => moveBy(task.id, status, -1)}
                            >
                              {icons.up()}
                            </button>
                            <button
                              type="button"
                              class="icon-button ghost"
                              disabled={lockedByOther()}
                              aria-label={`Move ${task.title} down`}
                              onClick={() => moveBy(task.id, status, 1)}
                            >
                              {icons.down()}
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
                                  {icons.left()}
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
                                  {icons.right()}
                                </button>
                              )}
                            </Show>
                            <button
                              type="button"
                              class="icon-button ghost danger task-delete"
                              disabled={!canDelete(board, 'task', task.id)}
                              aria-label={`Delete ${task.title}`}
                              onClick={() => remove(task.id)}
                            >
                              {icons.delete()}
                            </button>
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
