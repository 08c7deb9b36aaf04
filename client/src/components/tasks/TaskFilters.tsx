/**
 * The task view's filter bar: assignee, status, priority and due day. Each choice is written to
 * the URL at once (lib/router.ts `replaceQuery`), so the filtered view is a link to share.
 */
import { Show } from 'solid-js'
import FilterX from 'lucide-solid/icons/funnel-x'
import { taskPriorities, taskStatuses } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { replaceQuery } from '../../lib/router.ts'
import { Select } from '../ui/Select.tsx'
import { filterQuery, isFiltered, noFilters, type TaskFilters } from './filters.ts'

const statusNames = { todo: 'To do', doing: 'Doing', review: 'Review', done: 'Done' } as const
const dueNames = {
  overdue: 'Overdue',
  today: 'Due today',
  week: 'Due this week',
  none: 'No due date',
} as const

export function TaskFilterBar(props: { filters: TaskFilters; shown: number; total: number }) {
  const board = useBoard()
  const set = (key: keyof TaskFilters, value: string) =>
    replaceQuery({ [key]: value === 'any' ? null : value })
  return (
    <div class="task-filters" role="group" aria-label="Filter tasks">
      <Select
        label="Assigned to"
        value={props.filters.assignee ?? 'any'}
        options={[
          { value: 'any', label: 'Anyone' },
          { value: 'me', label: 'Me' },
          { value: 'none', label: 'Nobody' },
          ...board
            .members()
            .filter((m) => m.id !== board.me.id)
            .map((m) => ({ value: m.id, label: m.name })),
        ]}
        onChange={(v) => set('assignee', v)}
      />
      <Select
        label="Status is"
        value={props.filters.status ?? 'any'}
        options={[
          { value: 'any', label: 'Any status' },
          ...taskStatuses.map((s) => ({ value: s, label: statusNames[s] })),
        ]}
        onChange={(v) => set('status', v)}
      />
      <Select
        label="Priority is"
        value={props.filters.priority ?? 'any'}
        options={[
          { value: 'any', label: 'Any priority' },
          ...taskPriorities.map((p) => ({ value: p, label: p })),
        ]}
        onChange={(v) => set('priority', v)}
      />
      <Select
        label="Due"
        value={props.filters.due ?? 'any'}
        options={[
          { value: 'any', label: 'Any time' },
          ...Object.entries(dueNames).map(([value, label]) => ({ value, label })),
        ]}
        onChange={(v) => set('due', v)}
      />
      {/* The live region is always there, so a change of its text is announced. */}
      <p class="filter-count muted" role="status">
        {isFiltered(props.filters) ? `${props.shown} of ${props.total} tasks` : ''}
      </p>
      <Show when={isFiltered(props.filters)}>
        <button
          type="button"
          class="button ghost small"
          onClick={() => replaceQuery(filterQuery(noFilters))}
        >
          <FilterX size={14} aria-hidden="true" /> Clear filters
        </button>
      </Show>
    </div>
  )
}
