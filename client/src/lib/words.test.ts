import { describe, expect, it } from 'vitest'
import type { ActivityEvent } from './api.ts'
import { timeAgo } from './time.ts'
import { describeEvent, type Names } from './words.ts'

const names: Names = {
  entity: (type, id) => (type === 'task' && id === 't1' ? 'Check the night exposure' : null),
  person: (id) => (id === 'u2' ? 'bea' : null),
}
const event = (type: string, data: Record<string, unknown>): ActivityEvent =>
  ({ type, ts: 0, actor: { id: 'u1', name: 'alice' }, data }) as ActivityEvent

describe('human words', () => {
  it('names a locked entity by its title, resolved from the lock key', () => {
    expect(describeEvent(event('lock.acquired', { key: 'board1/task/t1' }), names)).toBe(
      'alice started editing “Check the night exposure”',
    )
    expect(describeEvent(event('lock.acquired', { key: 'board1/media/gone' }), names)).toBe(
      'alice started editing a media item',
    )
  })
  it('never shows an id', () => {
    const text = describeEvent(
      event('task.assigned', { taskId: 't1', title: 'old title', assigneeId: 'u2' }),
      names,
    )
    expect(text).toBe('alice assigned “Check the night exposure” to bea')
  })
  it('says times relatively', () => {
    const now = 1_000_000_000
    expect(timeAgo(now - 10_000, now)).toBe('just now')
    expect(timeAgo(now - 120_000, now)).toBe('2 min ago')
    expect(timeAgo(now - 3 * 3600_000, now)).toBe('3 h ago')
  })
})

describe('deletes and restores, in words', () => {
  it('says what went, by title, and what came back from which version', () => {
    expect(
      describeEvent(event('task.deleted', { taskId: 'gone', title: 'Crop to 4:5' }), names),
    ).toBe('alice deleted the task “Crop to 4:5”')
    expect(
      describeEvent(
        event('thread.deleted', { threadId: 'th', comments: 2, excerpt: 'Too dark' }),
        names,
      ),
    ).toBe('alice deleted the thread “Too dark” with its 2 comments')
    expect(
      describeEvent(
        event('version.restored', {
          versionId: 'v1',
          name: 'Before the colour pass',
          versionCreatedAt: 0,
          entityType: 'task',
          entityId: 't1',
        }),
        names,
      ),
    ).toBe('alice restored “Check the night exposure” from “Before the colour pass”')
    expect(
      describeEvent(
        event('version.restored', {
          versionId: 'v1',
          name: null,
          versionCreatedAt: 0,
          entityType: null,
          entityId: null,
        }),
        names,
      ),
    ).toMatch(/^alice restored the board from the version of /)
  })
})
