/**
 * The task view's windowed columns (client/src/components/ui/VirtualList.tsx): rows of many
 * heights, measured by the virtualizer's ResizeObserver in one batch after layout, sit one
 * after another with no overlap and no gap, each card inside its row; the scrolling space ends
 * where the last row does; and a row that grows later pushes the rows below it down. Its own
 * server and browser context; an uncaught page error or console error fails it.
 */
import { describe, expect, it } from 'vitest'
import { generateNKeysBetween } from 'fractional-indexing'
import * as Y from 'yjs'
import type { Page } from 'playwright-core'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { createBoard } from '../accounts.ts'
import { eventually, synced } from '../harness.ts'
import { committedBoard, freshServer, open, useBrowserHarness, WAIT } from './people.ts'

useBrowserHarness()

const COUNT = 60
const ESTIMATE = 118

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(' ')

interface Row {
  index: number
  top: number
  bottom: number
  cardTop: number
  cardBottom: number
}

/** The To do column's rendered rows, relative to its scrolling space, and the space's height. */
const layout = (page: Page) =>
  page.evaluate(() => {
    const list = document.querySelector('[data-column="todo"] .column-list') as HTMLElement
    const space = list.querySelector('.virtual-space') as HTMLElement
    const origin = space.getBoundingClientRect().top
    const rows = [...space.querySelectorAll<HTMLElement>(':scope > .virtual-row')]
      .map((row) => {
        const box = row.getBoundingClientRect()
        const card = (row.firstElementChild as HTMLElement).getBoundingClientRect()
        return {
          index: Number(row.dataset.index),
          top: box.top - origin,
          bottom: box.bottom - origin,
          cardTop: card.top - origin,
          cardBottom: card.bottom - origin,
        }
      })
      .sort((a, b) => a.index - b.index)
    return { rows, total: space.getBoundingClientRect().height }
  })

/** What is wrong with the layout: rows that overlap, gaps, cards outside their row, the end. */
function problems({ rows, total }: { rows: Row[]; total: number }): string[] {
  const found: string[] = []
  if (rows.length === 0) return ['no rows']
  if (rows[0]?.index === 0 && Math.abs(rows[0].top) > 1)
    found.push(`row 0 starts at ${rows[0].top}`)
  rows.forEach((row, i) => {
    if (row.cardTop < row.top - 1 || row.cardBottom > row.bottom + 1)
      found.push(
        `row ${row.index}: card ${row.cardTop}-${row.cardBottom} outside ${row.top}-${row.bottom}`,
      )
    const before = rows[i - 1]
    if (!before) return
    if (row.index !== before.index + 1) found.push(`row ${row.index} after row ${before.index}`)
    if (Math.abs(row.top - before.bottom) > 1)
      found.push(
        `row ${row.index} starts at ${row.top}, row ${before.index} ends at ${before.bottom}`,
      )
  })
  const last = rows.at(-1) as Row
  if (last.index === COUNT - 1 && Math.abs(total - last.bottom) > 1)
    found.push(`the space is ${total} tall, the last row ends at ${last.bottom}`)
  return found
}

describe('a windowed column', () => {
  it('lays rows of many heights end to end, and moves them when one grows', async () => {
    const { t, owner } = await freshServer()
    const boardId = await createBoard(t, owner.token, owner.workspaceId, 'rows')
    // Cards of one, two and several lines, some with a description: heights far from the estimate.
    const doc = new Y.Doc()
    const provider = t.provider(boardId, doc, { token: owner.token })
    await synced(provider)
    const keys = generateNKeysBetween(null, null, COUNT)
    doc.transact(() => {
      for (let i = 0; i < COUNT; i++)
        createTask(doc, {
          id: `t${String(i).padStart(2, '0')}`,
          title: `${i} ${words([1, 12, 40][i % 3] as number)}`,
          order: keys[i] as string,
          createdBy: owner.user.id,
          ...(i % 4 === 1 ? { description: words(30) } : {}),
        })
    })
    await eventually(async () => {
      expect(board(await committedBoard(t, boardId, owner.token)).tasks.size).toBe(COUNT)
    }, WAIT)

    const { page } = await open(t, 'Olive', boardId)
    await page.goto(`${t.url}/#/b/${boardId}/tasks`)
    await page.locator(`[data-column="todo"][data-task-count="${COUNT}"]`).waitFor()
    // Windowed: not every card is in the DOM.
    await expect.poll(async () => (await layout(page)).rows.length).toBeLessThan(COUNT)

    // At the top: every rendered row measured, end to end.
    await expect.poll(async () => problems(await layout(page)), { timeout: WAIT }).toEqual([])
    const heights = (await layout(page)).rows.map((r) => Math.round(r.bottom - r.top))
    // The rows are truly of several heights, not the estimate: the test would see a misplacement.
    expect(new Set(heights).size).toBeGreaterThanOrEqual(3)
    expect(heights.some((h) => Math.abs(h - ESTIMATE) > 20)).toBe(true)

    // At the bottom: the rows there too, and the space ends with the last row.
    await expect
      .poll(
        async () => {
          await page.evaluate(() => {
            const list = document.querySelector('[data-column="todo"] .column-list') as HTMLElement
            list.scrollTop = list.scrollHeight
          })
          const now = await layout(page)
          return { last: now.rows.at(-1)?.index, problems: problems(now) }
        },
        { timeout: WAIT },
      )
      .toEqual({ last: COUNT - 1, problems: [] })

    // Back at the top, a card grows (renamed elsewhere): the rows below it move down.
    await page.evaluate(() => {
      const list = document.querySelector('[data-column="todo"] .column-list') as HTMLElement
      list.scrollTop = 0
    })
    await expect.poll(async () => (await layout(page)).rows[0]?.index, { timeout: WAIT }).toBe(0)
    await expect.poll(async () => problems(await layout(page)), { timeout: WAIT }).toEqual([])
    const before = (await layout(page)).rows.find((r) => r.index === 0) as Row
    updateTask(doc, 't00', { title: `0 ${words(60)}` })
    await expect
      .poll(
        async () => {
          const now = await layout(page)
          const first = now.rows.find((r) => r.index === 0) as Row
          return {
            grew: first.bottom - first.top > before.bottom - before.top + 20,
            problems: problems(now),
          }
        },
        { timeout: WAIT },
      )
      .toEqual({ grew: true, problems: [] })
    provider.destroy()
  })
})
