import { describe, expect, it } from 'vitest'
import { dueFromInput, dueLabel, dueToInput, dueWhen, today } from './due.ts'

describe('due dates are calendar days', () => {
  it('stores a picked day as its midnight UTC and gives it back unchanged', () => {
    const stored = dueFromInput('2026-03-14')
    expect(stored).toBe(Date.UTC(2026, 2, 14))
    expect(dueToInput(stored)).toBe('2026-03-14')
    expect(dueFromInput('')).toBeNull()
    expect(dueToInput(null)).toBe('')
  })

  it('labels the stored day itself, whatever the time zone (UTC, not local, time)', () => {
    const now = new Date(2026, 0, 1)
    expect(dueLabel(Date.UTC(2026, 2, 14), now)).toMatch(/14/)
    expect(dueLabel(Date.UTC(2026, 2, 14), now)).not.toMatch(/13/)
    expect(dueLabel(Date.UTC(2027, 2, 14), now)).toMatch(/2027/)
  })

  it('says where a day falls from today, read where the reader is', () => {
    const now = new Date(2026, 2, 14, 23, 30)
    expect(today(now)).toBe(Date.UTC(2026, 2, 14))
    expect(dueWhen(Date.UTC(2026, 2, 13), now)).toBe('overdue')
    expect(dueWhen(Date.UTC(2026, 2, 14), now)).toBe('today')
    expect(dueWhen(Date.UTC(2026, 2, 20), now)).toBe('week')
    expect(dueWhen(Date.UTC(2026, 3, 20), now)).toBe('later')
    expect(dueWhen(undefined, now)).toBe('none')
  })
})
