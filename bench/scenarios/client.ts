/**
 * Web client in Chromium on a big board: navigation → every task card in the DOM, from the
 * network (fresh profile) and from IndexedDB (offline reload), and a remote edit's delay from
 * the browser socket's message event to the DOM. Loupe only (the relay serves no app).
 */
import type { BrowserContext, Page } from 'playwright-core'
import { launch } from '../../test/e2e/browser.ts'
import { sleep } from '../lib/async.ts'
import { fillBoard, openProvider, taskId } from '../lib/big-board.ts'
import type { BoardSize } from '../lib/big-board.ts'
import { idbStored, listRuns, probe, remoteEdits, rendered, summary } from '../lib/page-probe.ts'
import type { Render } from '../lib/page-probe.ts'
import { round } from '../stats.ts'
import type { Metrics, Scenario } from './types.ts'

interface Params {
  size: BoardSize
  /** Fresh-profile loads and offline reloads, each. */
  loads: number
  edits: number
}

export const client: Scenario<Params> = {
  name: 'client',
  title: 'Web client (Chromium): first render of a big board, remote edit to DOM',
  loupeOnly: 'n/a (no web client)',
  notes: [
    'Targets (issue): first render from IndexedDB under 500 ms; a remote edit visible under 50 ms after it arrives.',
    'Render: navigation start (page performance.now() = 0) → the MutationObserver callback that first sees the task view showing every task (its windowed columns’ counts add up, first screen of cards in the DOM); "+ frame" adds the next animation frame and a task (≈ painted). Median of the loads; each run (shell/DOM/frame) is in latest.json. Network: fresh context. IndexedDB: the same context once IndexedDB holds the board, offline, reload (shell from the service worker).',
    'Remote edit: a Node y-websocket provider renames one task; "message → DOM" starts at the page socket’s message event (listener added before y-websocket’s); "send → DOM" compares Node’s Date.now() at send with the page’s wall clock. The fake image (no file behind its hash) logs one 404 per load.',
  ],
  cases(quick) {
    const size = quick
      ? { tasks: 200, annotations: 100, comments: 400 }
      : { tasks: 1000, annotations: 500, comments: 2000 }
    const params = { size, loads: quick ? 1 : 3, edits: quick ? 5 : 20 }
    const label = `${size.tasks} tasks, ${size.annotations} annotations, ${size.comments} comments, ${params.loads} loads`
    return [{ label, params, rooms: 1, timeoutMs: quick ? 120_000 : 300_000 }]
  },
  rows: [
    { key: 'netShellMs', label: 'network: app shell DOMContentLoaded (ms)', digits: 0 },
    { key: 'netDomMs', label: 'first render from network: every task shown (ms)', digits: 0 },
    { key: 'netFrameMs', label: 'first render from network + frame (ms)', digits: 0 },
    { key: 'idbMode', label: 'IndexedDB render measured by' },
    { key: 'idbShellMs', label: 'IndexedDB: app shell DOMContentLoaded (ms)', digits: 0 },
    { key: 'idbDomMs', label: 'first render from IndexedDB: every task shown (ms)', digits: 0 },
    { key: 'idbFrameMs', label: 'first render from IndexedDB + frame (ms)', digits: 0 },
    { key: 'editP50Ms', label: 'remote edit message → DOM p50 (ms)' },
    { key: 'editP99Ms', label: 'remote edit message → DOM p99 (ms)' },
    { key: 'editMaxMs', label: 'remote edit message → DOM max (ms)' },
    { key: 'editFrameP50Ms', label: 'remote edit message → DOM + frame p50 (ms)' },
    { key: 'editE2eP50Ms', label: 'remote edit Node send → DOM p50 (ms)' },
    { key: 'editE2eMaxMs', label: 'remote edit Node send → DOM max (ms)' },
    { key: 'editsMissed', label: 'edits not seen within 10 s', digits: 0 },
    { key: 'fillMs', label: 'board fill over the socket (ms)', digits: 0 },
    { key: 'consoleErrors', label: 'console errors while online', digits: 0 },
    { key: 'pageErrors', label: 'uncaught page errors', digits: 0 },
  ],
  async drive(p, urls, io) {
    const first = urls[0]
    if (first === undefined) throw new Error('client needs one board')
    const boardId = first.slice(first.lastIndexOf('/') + 1)
    const docUrl = first.slice(0, first.lastIndexOf('/'))
    const pageUrl = `http://${new URL(first).host}/#/b/${boardId}/tasks`
    const t0 = performance.now()
    await fillBoard(docUrl, boardId, p.size)
    const out: Metrics = { fillMs: round(performance.now() - t0, 0) }
    const budget = (): number => Math.max(1000, Math.min(60_000, io.deadline - performance.now()))
    const errors = { console: 0, page: 0, offline: 0, samples: new Set<string>() }
    let offline = false
    const browser = await launch()
    const open = async (): Promise<{ ctx: BrowserContext; page: Page }> => {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
      await ctx.addInitScript(probe(p.size.tasks))
      const page = await ctx.newPage()
      page.on('console', (m) => {
        if (m.type() !== 'error') return void 0
        if (offline) return void errors.offline++
        errors.console++
        errors.samples.add(`${m.text().slice(0, 100)} (${m.location().url})`)
      })
      page.on('pageerror', (e) => (errors.page++, errors.samples.add(e.message.slice(0, 120))))
      return { ctx, page }
    }
    const { doc, provider } = await openProvider(docUrl, boardId)
    try {
      await io.windowStart()
      const net: Render[] = []
      let last: { ctx: BrowserContext; page: Page } | null = null
      for (let i = 0; i < p.loads; i++) {
        await last?.ctx.close()
        last = await open()
        await last.page.goto(pageUrl, { waitUntil: 'commit' })
        net.push(await rendered(last.page, p.size.tasks, budget()))
      }
      if (!last) throw new Error('no load ran')
      const { ctx, page } = last
      Object.assign(out, { netShellMs: summary(net, 0), netDomMs: summary(net, 1) })
      Object.assign(out, { netFrameMs: summary(net, 2), netRuns: listRuns(net) })

      // IndexedDB holds the board and a service worker controls the page, then the edits.
      out.idbUpdatesStored = await idbStored(page, `loupe-board-${boardId}`, 15_000)
      await page.evaluate('navigator.serviceWorker.ready.then(() => undefined)')
      if (!(await page.evaluate('!!navigator.serviceWorker.controller'))) {
        await page.reload({ waitUntil: 'commit' })
        out.onlineReloadRun = listRuns([await rendered(page, p.size.tasks, budget())])
      }
      await sleep(1000)
      // Columns are windowed: edit the cards on screen (a remote edit to a card out of view
      // has nothing to paint).
      const onScreen = (await page.evaluate(
        '[...document.querySelectorAll("article.task")].map((e) => e.dataset.taskId)',
      )) as string[]
      const ids = Array.from({ length: p.edits }, (_, n) =>
        onScreen.length
          ? (onScreen[n % onScreen.length] as string)
          : taskId((n * 97) % p.size.tasks),
      )
      const e = await remoteEdits(page, doc, ids)
      Object.assign(out, {
        editP50Ms: round(e.lag.quantile(0.5)),
        editP99Ms: round(e.lag.quantile(0.99)),
        editMaxMs: round(e.lag.count ? e.lag.max : null),
        editFrameP50Ms: round(e.frame.quantile(0.5)),
        editE2eP50Ms: round(e.e2e.quantile(0.5)),
        editE2eMaxMs: round(e.e2e.count ? e.e2e.max : null),
        editsMissed: e.missed,
      })

      const reloads = async (): Promise<Render[]> => {
        const runs: Render[] = []
        for (let i = 0; i < p.loads; i++) {
          await page.reload({ waitUntil: 'commit' })
          runs.push(await rendered(page, p.size.tasks, Math.min(budget(), 30_000)))
        }
        return runs
      }
      offline = true
      await ctx.setOffline(true)
      const idb = await reloads().catch(async (err: unknown) => {
        // Offline reload failed: online reloads instead (IndexedDB races the network).
        out.idbError = `offline reload failed: ${String(err)}`.slice(0, 300)
        offline = false
        await ctx.setOffline(false)
        out.idbMode = 'ONLINE reload (offline failed)'
        return reloads()
      })
      out.idbMode ??= 'offline reload'
      Object.assign(out, { idbShellMs: summary(idb, 0), idbDomMs: summary(idb, 1) })
      Object.assign(out, { idbFrameMs: summary(idb, 2), idbRuns: listRuns(idb) })
      await io.windowEnd()
    } finally {
      provider.destroy()
      await browser.close()
    }
    Object.assign(out, { consoleErrors: errors.console, consoleErrorsOffline: errors.offline })
    Object.assign(out, { pageErrors: errors.page, errorSamples: [...errors.samples].join(' | ') })
    return out
  },
}
