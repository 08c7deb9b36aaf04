import { describe, expect, it } from 'vitest'
import type { ActivityEvent } from './api.ts'
import { describeEvent, type Names } from './words.ts'

const names: Names = {
  entity: (type, id) => (type === 'media' && id === 'm1' ? 'hero.mp4' : null),
  person: () => null,
}
const event = (type: string, data: Record<string, unknown>): ActivityEvent =>
  ({ type, ts: 0, actor: { id: 'u1', name: 'bea' }, data }) as ActivityEvent

describe('the review workflow in words', () => {
  it('says what was deleted and what was decided, by name', () => {
    expect(
      describeEvent(
        event('annotation.deleted', { annotationId: 'a', mediaId: 'm1', shape: 'arrow' }),
        names,
      ),
    ).toBe('bea deleted an arrow on “hero.mp4”')
    expect(describeEvent(event('media.deleted', { mediaId: 'gone', name: 'old.png' }), names)).toBe(
      'bea deleted the media “old.png”',
    )
    const verdict = { mediaId: 'm1', name: 'x', userId: 'u1', version: 2 }
    expect(describeEvent(event('review.verdict', { ...verdict, verdict: 'approved' }), names)).toBe(
      'bea approved “hero.mp4” (v2)',
    )
    expect(
      describeEvent(
        event('review.verdict', { ...verdict, mediaId: 'gone', verdict: 'changes_requested' }),
        names,
      ),
    ).toBe('bea requested changes on “x” (v2)')
  })
})
