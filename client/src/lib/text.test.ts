import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyTextDiff } from './text.ts'

describe('applyTextDiff', () => {
  it('changes only the edited span, so a concurrent edit elsewhere survives', () => {
    const a = new Y.Doc()
    a.getText('t').insert(0, 'hello world')
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    applyTextDiff(a.getText('t'), 'hello brave world')
    b.getText('t').insert(11, '!')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    expect(a.getText('t').toString()).toBe('hello brave world!')
    expect(b.getText('t').toString()).toBe('hello brave world!')
  })
})
