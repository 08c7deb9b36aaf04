/**
 * The task view's filters — assignee, status, priority, due date — live in the URL
 * (`#/b/<board>/tasks?assignee=<id>&due=overdue`), so a filtered view is a deep link. Unknown
 * values are ignored, never an error: a link outlives the people and words it names.
 */
import {
  taskPriorities,
  taskStatuses,
  type TaskJson,
  type TaskPriority,
  type TaskStatus,
} from '../../../../shared/schema/board.ts'
import { dueWhen } from './due.ts'

/** `me` and `none` (unassigned) besides a person's id. */
export type AssigneeFilter = string
export type DueFilter = 'overdue' | 'today' | 'week' | 'none'
export const dueFilters: readonly DueFilter[] = ['overdue', 'today', 'week', 'none']

export interface TaskFilters {
  assignee: AssigneeFilter | null
  status: TaskStatus | null
  priority: TaskPriority | null
  due: DueFilter | null
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  values.includes(value as T) ? (value as T) : null

export function parseFilters(query: URLSearchParams): TaskFilters {
  const assignee = query.get('assignee')
  return {
    assignee: assignee && assignee.length <= 64 ? assignee : null,
    status: oneOf(taskStatuses, query.get('status')),
    priority: oneOf(taskPriorities, query.get('priority')),
    due: oneOf(dueFilters, query.get('due')),
  }
}

/** The query keys of the filters (null clears a key). */
export function filterQuery(filters: TaskFilters): Record<keyof TaskFilters, string | null> {
  return { ...filters }
}

export const noFilters: TaskFilters = { assignee: null, status: null, priority: null, due: null }

export function isFiltered(filters: TaskFilters): boolean {
  return Object.values(filters).some((value) => value !== null)
}

/** Whether a task passes every filter; `me` is the reader's id. */
export function matches(task: TaskJson, filters: TaskFilters, me: string, now = new Date()) {
  const { assignee, status, priority, due } = filters
  if (assignee === 'none' && task.assigneeId) return false
  if (assignee && assignee !== 'none' && task.assigneeId !== (assignee === 'me' ? me : assignee))
    return false
  if (status && (task.status ?? 'todo') !== status) return false
  if (priority && (task.priority ?? 'normal') !== priority) return false
  if (due) {
    const when = dueWhen(task.dueAt, now)
    if (due === 'week' ? when !== 'today' && when !== 'week' : when !== due) return false
  }
  return true
}
