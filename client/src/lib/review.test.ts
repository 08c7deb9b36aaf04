import { describe, expect, it } from 'vitest'
import type { AnnotationFields } from '../../../shared/schema/board.ts'
import { markLayer, onFrame, reviewRound, reviewsOf, threadPlace } from './review.ts'
import { storedTimeMs } from './timecode.ts'

const mark = (fields: Partial<AnnotationFields> = {}): AnnotationFields => ({
  id: 'a1',
  mediaId: 'm1',
  shape: { type: 'pin', x: 0.5, y: 0.5 },
  color: '#fff',
  authorId: 'ed',
  createdAt: 1,
  ...fields,
})

describe('a version’s review status', () => {
  it('is derived: a change request wins, then an approval, and a new version starts unreviewed', () => {
    const reviews = {
      ana: { version: 2, verdict: 'approved' as const, at: 3 },
      bo: { version: 2, verdict: 'changes_requested' as const, at: 2 },
      cy: { version: 1, verdict: 'approved' as const, at: 1 },
    }
    const round = reviewRound(reviews, 2)
    expect(round.status).toBe('changes_requested')
    expect(round.current.map((r) => r.userId)).toEqual(['bo', 'ana'])
    expect(round.earlier.map((r) => r.userId)).toEqual(['cy'])
    expect(reviewRound({ ana: reviews.ana }, 2).status).toBe('approved')
    expect(reviewRound(reviews, 3).status).toBe('not_reviewed')
    expect(reviewRound(reviews, 3).earlier).toHaveLength(3)
  })

  it('reads an early client’s approvedBy as an approval of version 1', () => {
    expect(reviewsOf({ approvedBy: 'olive', approvedAt: 5 } as never)).toEqual({
      olive: { version: 1, verdict: 'approved', at: 5 },
    })
    expect(
      reviewsOf({ reviews: { x: { version: 0, verdict: 'approved', at: 1 } } } as never),
    ).toEqual({})
  })
})

describe('marks on a version and a frame', () => {
  it('shows a frame-bound mark on its frame only, a ranged one over its range', () => {
    const at10 = { timeMs: storedTimeMs(10, 25) }
    expect(onFrame(at10, 10, 25)).toBe(true)
    expect(onFrame(at10, 9, 25)).toBe(false)
    expect(onFrame(at10, 15, 25)).toBe(false)
    const range = { timeMs: storedTimeMs(10, 25), endMs: storedTimeMs(14, 25) }
    expect([9, 10, 14, 15].map((f) => onFrame(range, f, 25))).toEqual([false, true, true, false])
    expect(onFrame({}, 99, 25)).toBe(true)
  })

  it('shows its own version’s marks, the previous version’s open ones faded, no others', () => {
    expect(markLayer(mark({ version: 2 }), 2, undefined)).toBe('own')
    expect(markLayer(mark(), 2, false)).toBe('earlier')
    expect(markLayer(mark(), 2, true)).toBeNull()
    expect(markLayer(mark(), 3, false)).toBeNull()
    expect(markLayer(mark({ version: 3 }), 2, undefined)).toBeNull()
  })

  it('places a thread on its media, version and time, through its mark or on its own', () => {
    const marks = { a1: mark({ version: 2, timeMs: 500, endMs: 900 }) }
    expect(threadPlace({ anchor: { type: 'annotation', id: 'a1' } }, marks)).toEqual({
      mediaId: 'm1',
      version: 2,
      timeMs: 500,
      endMs: 900,
    })
    // The mark is gone: the anchor still names its media.
    expect(threadPlace({ anchor: { type: 'annotation', id: 'x', mediaId: 'm2' } }, {})).toEqual({
      mediaId: 'm2',
      version: 1,
    })
    expect(
      threadPlace({ anchor: { type: 'media', id: 'm3', version: 4, timeMs: 40 } }, marks),
    ).toEqual({ mediaId: 'm3', version: 4, timeMs: 40 })
    expect(threadPlace({ anchor: { type: 'board', id: 'b' } }, marks)).toBeNull()
  })
})
