import { describe, expect, it } from 'vitest'
import { href, parseRoute } from './router.ts'

describe('parseRoute: every view has a deep link', () => {
  it('reads pages', () => {
    expect(parseRoute('')).toEqual({ page: 'home' })
    expect(parseRoute('#/w/ws1')).toEqual({ page: 'workspace', workspaceId: 'ws1' })
    expect(parseRoute('#/inbox')).toEqual({ page: 'inbox' })
    expect(parseRoute('#/system')).toEqual({ page: 'system' })
    expect(parseRoute('#/invite/abc')).toEqual({ page: 'invite', code: 'abc' })
    expect(parseRoute('#/link/tok_en-1')).toEqual({ page: 'link', token: 'tok_en-1' })
  })
  it('reads a board view, its selection and its panel', () => {
    expect(parseRoute('#/b/b1/media/m1?panel=activity')).toMatchObject({
      page: 'board',
      boardId: 'b1',
      view: 'review',
      mediaId: 'm1',
      panel: 'activity',
    })
    expect(parseRoute('#/b/b1/thread/t1')).toMatchObject({ view: 'review', threadId: 't1' })
    expect(parseRoute('#/b/b1/tasks')).toMatchObject({ view: 'tasks', taskId: null })
    expect(parseRoute('#/b/b1/task/k1')).toMatchObject({ view: 'tasks', taskId: 'k1' })
  })
  it('writes what it reads', () => {
    const hash = href(['b', 'b 1', 'media', 'm1'], { panel: 'people', other: null })
    expect(hash).toBe('#/b/b%201/media/m1?panel=people')
    expect(parseRoute(hash)).toMatchObject({ boardId: 'b 1', mediaId: 'm1', panel: 'people' })
  })
})
