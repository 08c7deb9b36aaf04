import { describe, expect, it } from 'vitest'
import { reviewerMay, type Change, type Held, type Owner } from './role-guard.ts'

const me = 'rev'
const mine: Held = { owner: me }
const theirs: Held = { owner: 'ed' }
const value = (v: unknown): Held => ({ value: v })
const own = (created = false): Owner => ({ owner: me, created })
const other = (created = false): Owner => ({ owner: 'ed', created })
const gone = (): Owner => ({ owner: 'ed', created: false, removed: true })
const verdict = { version: 1, verdict: 'approved', at: 1 }

/** [what, path, before, after, entity, comment, allowed] */
type Row = [string, string, Held | null, Held | null, Owner | null, Owner | null, boolean]

const rows: Row[] = [
  // Nothing of meta, tasks or top-level types of their own.
  ['rename the board', 'meta/title', value('a'), value('b'), null, null, false],
  ['retitle a task', 'tasks/t1/title', value('a'), value('b'), other(), null, false],
  ['create a task', 'tasks/t2', null, mine, null, null, false],
  ['type in a description', 'tasks/t1/description', mine, mine, other(), null, false],
  ['invent a top-level type', 'evil/x', null, value(1), null, null, false],
  ['make and drop within one update', 'tasks/t3', null, null, null, null, true],
  // Media: only their own verdict.
  ['add a media item', 'media/m2', null, mine, null, null, false],
  ['delete a media item', 'media/m1', theirs, null, null, null, false],
  ['rename a media item', 'media/m1/name', value('a'), value('b'), other(), null, false],
  ['record own verdict', 'media/m1/reviews/rev', null, value(verdict), other(), null, true],
  [
    'change own verdict',
    'media/m1/reviews/rev',
    value(verdict),
    value(verdict),
    other(),
    null,
    true,
  ],
  ['withdraw own verdict', 'media/m1/reviews/rev', value(verdict), null, other(), null, true],
  [
    'record a malformed verdict',
    'media/m1/reviews/rev',
    null,
    value({ v: 1 }),
    other(),
    null,
    false,
  ],
  [
    'record a verdict for someone else',
    'media/m1/reviews/ed',
    null,
    value(verdict),
    other(),
    null,
    false,
  ],
  ['start reviews on an old item', 'media/m1/reviews', null, { owner: null }, other(), null, true],
  ['replace reviews', 'media/m1/reviews', { owner: null }, { owner: null }, other(), null, false],
  ['add a version', 'media/m1/versions', { owner: null }, { owner: null }, other(), null, false],
  // Annotations: only their own.
  ['draw own annotation', 'annotations/a1', null, mine, null, null, true],
  ['draw one as someone else', 'annotations/a1', null, theirs, null, null, false],
  [
    'fields of a new own annotation',
    'annotations/a1/shape',
    null,
    value({}),
    own(true),
    null,
    true,
  ],
  [
    'author of a new own annotation',
    'annotations/a1/authorId',
    null,
    value(me),
    own(true),
    null,
    true,
  ],
  ['move own annotation', 'annotations/a1/shape', value({}), value({}), own(), null, true],
  ['delete own annotation', 'annotations/a1', mine, null, null, null, true],
  [
    'give own annotation away',
    'annotations/a1/authorId',
    value(me),
    value('ed'),
    own(),
    null,
    false,
  ],
  ['move someone else’s', 'annotations/a2/shape', value({}), value({}), other(), null, false],
  [
    'link a new thread to theirs',
    'annotations/a2/threadId',
    null,
    value('th2'),
    other(),
    null,
    true,
  ],
  ['relink theirs', 'annotations/a2/threadId', value('th1'), value('th2'), other(), null, false],
  // What goes with a removed entity is decided by the removal (and restored with it).
  ['fields of a removed annotation', 'annotations/a2/shape', value({}), null, gone(), null, true],
  [
    'fields of a removed comment',
    'threads/th1/comments/c1/body',
    value('x'),
    null,
    other(),
    gone(),
    true,
  ],
  ['delete someone else’s', 'annotations/a2', theirs, null, null, null, false],
  ['replace someone else’s with own', 'annotations/a2', theirs, mine, null, null, false],
  // Threads: start own, resolve and reopen any, never delete.
  ['start own thread', 'threads/th2', null, mine, null, null, true],
  ['start one as someone else', 'threads/th2', null, theirs, null, null, false],
  ['fields of a new own thread', 'threads/th2/anchor', null, value({}), own(true), null, true],
  ['delete own thread', 'threads/th2', mine, null, null, null, false],
  ['resolve a thread', 'threads/th1/resolved', value(false), value(true), other(), null, true],
  ['reopen a thread', 'threads/th1/resolved', value(true), value(false), other(), null, true],
  ['resolve with junk', 'threads/th1/resolved', value(false), value('yes'), other(), null, false],
  ['move someone else’s thread', 'threads/th1/anchor', value({}), value({}), other(), null, false],
  [
    'replace a comments list',
    'threads/th1/comments',
    { owner: null },
    { owner: null },
    other(),
    null,
    false,
  ],
  // Comments: post own, edit and soft-delete own, react as self.
  ['post a comment', 'threads/th1/comments/c2', null, mine, other(), null, true],
  ['post as someone else', 'threads/th1/comments/c2', null, theirs, other(), null, false],
  [
    'fields of a new own comment',
    'threads/th1/comments/c2/body',
    null,
    value('x'),
    other(),
    own(true),
    true,
  ],
  [
    'edit own comment',
    'threads/th1/comments/c2/body',
    value('x'),
    value('y'),
    other(),
    own(),
    true,
  ],
  [
    'soft-delete own comment',
    'threads/th1/comments/c2/deleted',
    null,
    value(true),
    other(),
    own(),
    true,
  ],
  [
    're-author own comment',
    'threads/th1/comments/c2/authorId',
    value(me),
    value('ed'),
    other(),
    own(),
    false,
  ],
  [
    'edit someone else’s comment',
    'threads/th1/comments/c1/body',
    value('x'),
    value('y'),
    other(),
    other(),
    false,
  ],
  ['remove a comment outright', 'threads/th1/comments/c2', mine, null, other(), null, false],
  [
    'react on someone else’s',
    'threads/th1/comments/c1/reactions/👍/rev',
    null,
    value(true),
    other(),
    other(),
    true,
  ],
  [
    'unreact',
    'threads/th1/comments/c1/reactions/👍/rev',
    value(true),
    null,
    other(),
    other(),
    true,
  ],
  [
    'start an emoji',
    'threads/th1/comments/c1/reactions/👍',
    null,
    { owner: null },
    other(),
    other(),
    true,
  ],
  [
    'clear an emoji',
    'threads/th1/comments/c1/reactions/👍',
    { owner: null },
    null,
    other(),
    other(),
    false,
  ],
  [
    'react as someone else',
    'threads/th1/comments/c1/reactions/👍/ed',
    null,
    value(true),
    other(),
    other(),
    false,
  ],
  [
    'replace reactions',
    'threads/th1/comments/c1/reactions',
    { owner: null },
    { owner: null },
    other(),
    other(),
    false,
  ],
]

const cases = rows.map(([what, path, before, after, entity, comment, allowed]) => ({
  what,
  path,
  allowed,
  change: { path: path.split('/'), before, after, entity, comment } satisfies Change,
}))

describe('what a reviewer may change', () => {
  it.each(cases)('$what ($path): allowed $allowed', ({ change, allowed }) => {
    expect(reviewerMay(me, change)).toBe(allowed)
  })
})
