/**
 * Page-side probes for the `client` scenario. Page code is script text: playwright
 * serialises functions with toString(), and tsx's name helpers would not exist in the page.
 */
import type { Page } from 'playwright-core'
import type * as Y from 'yjs'
import { board } from '../../shared/schema/board.ts'
import { Histogram, round } from '../stats.ts'
import { sleep } from './async.ts'

/** performance.now() in the page (navigation start = 0): DOMContentLoaded, all cards, + frame. */
export type Render = [shell: number, dom: number, frame: number]

const median = (xs: number[]): number | null =>
  xs.length ? ([...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? null) : null
/** Median of one field of the runs, and every run as shell/dom/frame. */
export const summary = (runs: Render[], i: 0 | 1 | 2): number | null =>
  round(median(runs.map((r) => r[i])), 0)
export const listRuns = (runs: Render[]): string =>
  runs.map((r) => r.map((x) => Math.round(x)).join('/')).join(', ')

/** Runs before the app: stamps doc-socket messages, when N tasks are shown / an edit reaches the DOM. */
export const probe = (cards: number): string => `(() => {
  const b = (window.__bench = { msgs: [], edits: {} })
  const after = (set) => requestAnimationFrame(() => setTimeout(() => set(performance.now())))
  document.addEventListener('DOMContentLoaded', () => (b.shell = performance.now()))
  const Native = window.WebSocket
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols)
      if (String(url).includes('/ws/doc/'))
        this.addEventListener('message', () => b.msgs.push(performance.now()))
    }
  }
  // The task view windows its columns: "rendered" is every column's count adding up to the
  // board's tasks (all of them loaded) with the first screen of cards in the DOM.
  const counts = document.getElementsByClassName('column')
  const list = document.getElementsByClassName('task')
  const loaded = () => {
    let sum = 0
    for (const c of counts) sum += Number(c.getAttribute('data-task-count') || 0)
    return sum >= ${cards} && list.length > 0
  }
  new MutationObserver((_, mo) => {
    if (!loaded()) return
    mo.disconnect()
    b.rendered = performance.now()
    after((t) => (b.frame = t))
  }).observe(document, { childList: true, subtree: true })
  b.watch = (key, sel, text) => {
    const mo = new MutationObserver(() => {
      const at = performance.now()
      if (!document.querySelector(sel)?.textContent?.includes(text)) return
      mo.disconnect()
      const e = (b.edits[key] = { at, msg: b.msgs.filter((t) => t <= at).pop() ?? null })
      e.wall = performance.timeOrigin + at
      after((t) => (e.frame = t))
    })
    mo.observe(document.body, { childList: true, subtree: true, characterData: true })
  }
})()`

export async function rendered(page: Page, cards: number, timeout: number): Promise<Render> {
  try {
    await page.waitForFunction('window.__bench?.frame !== undefined', undefined, {
      timeout,
      polling: 50,
    })
  } catch {
    const n = await page.evaluate(
      '[...document.querySelectorAll(".column")].reduce((s, c) => s + Number(c.dataset.taskCount || 0), 0)',
    )
    throw new Error(`${String(n)} of ${cards} tasks shown after ${timeout} ms`)
  }
  const b = 'window.__bench'
  return (await page.evaluate(`[${b}.shell ?? 0, ${b}.rendered, ${b}.frame]`)) as Render
}

/** Polls the count of y-indexeddb's stored updates for `db` until it is > 0 or ms pass. */
export async function idbStored(page: Page, db: string, ms: number): Promise<number> {
  const count = `new Promise((res) => {
    const r = indexedDB.open(${JSON.stringify(db)})
    r.onerror = () => res(-1)
    r.onsuccess = () => {
      const d = r.result
      if (!d.objectStoreNames.contains('updates')) return (d.close(), res(0))
      const c = d.transaction('updates').objectStore('updates').count()
      c.onsuccess = () => (d.close(), res(c.result))
    }
  })`
  let n = 0
  for (const until = performance.now() + ms; performance.now() < until; await sleep(100))
    if ((n = (await page.evaluate(count)) as number) > 0) break
  return n
}

export interface EditTimes {
  /** Socket message event → DOM change, and → the frame after it. */
  lag: Histogram
  frame: Histogram
  /** Node's Date.now() at send → the page's wall clock at the DOM change. */
  e2e: Histogram
  missed: number
}

/** Renames `ids` one at a time from the Node `doc`, waiting for each to reach the page. */
export async function remoteEdits(page: Page, doc: Y.Doc, ids: string[]): Promise<EditTimes> {
  const out: EditTimes = {
    lag: new Histogram(),
    frame: new Histogram(),
    e2e: new Histogram(),
    missed: 0,
  }
  const tasks = board(doc).tasks
  for (const [n, id] of ids.entries()) {
    const text = `edited-${String(n).padStart(3, '0')}`
    const args = [`k${n}`, `[data-testid="task-${id}"]`, text].map((s) => JSON.stringify(s))
    await page.evaluate(`window.__bench.watch(${args.join(',')})`)
    const sent = Date.now()
    doc.transact(() => tasks.get(id)?.set('title', text))
    try {
      const e = `window.__bench.edits.k${n}`
      const h = await page.waitForFunction(`${e}?.frame !== undefined && ${e}`, undefined, {
        timeout: 10_000,
        polling: 20,
      })
      const r = (await h.jsonValue()) as {
        at: number
        msg: number | null
        wall: number
        frame: number
      }
      if (r.msg !== null) out.lag.record(r.at - r.msg)
      if (r.msg !== null) out.frame.record(r.frame - r.msg)
      out.e2e.record(r.wall - sent)
    } catch {
      out.missed++
    }
    await sleep(100)
  }
  return out
}
