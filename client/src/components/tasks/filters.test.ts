import { describe, expect, it } from 'vitest'
import type { TaskJson } from '../../../../shared/schema/board.ts'
import { filterQuery, isFiltered, matches, parseFilters, type TaskFilters } from './filters.ts'

const task = (fields: Partial<TaskJson>): TaskJson =>
  ({
    id: 't',
    title: 'T',
    status: 'todo',
    priority: 'normal',
    order: 'a0',
    createdBy: 'u1',
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  }) as TaskJson

describe('task filters live in the URL', () => {
  it('reads what it writes and ignores what it does not know', () => {
    const filters = parseFilters(new URLSearchParams('assignee=u2&status=doing&due=overdue'))
    expect(filters).toEqual({ assignee: 'u2', status: 'doing', priority: null, due: 'overdue' })
    const written = Object.entries(filterQuery(filters)).filter(([, v]) => v !== null)
    expect(parseFilters(new URLSearchParams(written as Array<[string, string]>))).toEqual(filters)
    expect(
      parseFilters(new URLSearchParams('status=blocked&priority=extreme&due=someday')),
    ).toEqual({ assignee: null, status: null, priority: null, due: null })
    expect(isFiltered(filters)).toBe(true)
  })

  it('matches by assignee (a person, me, nobody), status, priority and due day', () => {
    const now = new Date(2026, 2, 14, 12)
    const none: TaskFilters = { assignee: null, status: null, priority: null, due: null }
    const bea = task({ assigneeId: 'u2', priority: 'high', dueAt: Date.UTC(2026, 2, 10) })
    const mine = task({ assigneeId: 'u1', status: 'doing', dueAt: Date.UTC(2026, 2, 16) })
    const free = task({})
    const pick = (f: Partial<TaskFilters>) =>
      [bea, mine, free].filter((t) => matches(t, { ...none, ...f }, 'u1', now))
    expect(pick({ assignee: 'u2' })).toEqual([bea])
    expect(pick({ assignee: 'me' })).toEqual([mine])
    expect(pick({ assignee: 'none' })).toEqual([free])
    expect(pick({ status: 'doing' })).toEqual([mine])
    expect(pick({ priority: 'high' })).toEqual([bea])
    expect(pick({ due: 'overdue' })).toEqual([bea])
    expect(pick({ due: 'week' })).toEqual([mine])
    expect(pick({ due: 'none' })).toEqual([free])
    expect(pick({ assignee: 'u2', due: 'week' })).toEqual([])
  })
})
