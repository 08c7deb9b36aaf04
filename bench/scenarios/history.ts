/**
 * History and search over HTTP. Loupe only: the relay keeps no history and has no search.
 *
 * One board is built in steps through the document socket — each step adds a media version
 * (20 items × 10 versions) and its share of the comments — and after each step, once a second
 * client has seen the step relayed (so it is committed), the board's current state is named as
 * a version. Then: the history list (`GET /api/boards/<id>/versions`), and opening versions
 * (`GET …/versions/<id>/export`, and the same plus building a Y.Doc from it, as a client does).
 *
 * Search: a hundred more boards, each with tasks and comments drawn from one vocabulary and a
 * marker word; once the index holds every marker, one person searches the workspace again and
 * again with a fixed list of words, prefixes, pairs and phrases (`GET /api/search`).
 */
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  addMediaVersion,
  createTask,
  createThread,
  taskStatuses,
} from '../../shared/schema/board.ts'
import { BenchClient } from '../lib/client.ts'
import type { ClientLog } from '../lib/client.ts'
import { mapLimit, sleep, waitUntil } from '../lib/async.ts'
import { Histogram, round } from '../stats.ts'
import type { Metrics, Scenario } from './types.ts'

interface Params {
  /** Named versions of the history board, one per step; one media version per step. */
  steps: number
  mediaItems: number
  comments: number
  /** Boards searched (besides the history board). */
  searchBoards: number
  tasksPerBoard: number
  commentsPerBoard: number
  /** Requests of each kind measured. */
  listRequests: number
  opens: number
  searches: number
}

const AUTHOR = 'bench'

/** A fixed vocabulary of made-up words (deterministic), so queries hit a known spread. */
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vor', 'ne', 'pli', 'dar', 'qu', 'es']
const WORDS = Array.from({ length: 240 }, (_, i) => {
  const a = SYLLABLES[i % 12] as string
  const b = SYLLABLES[Math.floor(i / 12) % 12] as string
  const c = SYLLABLES[(i * 7) % 11] as string
  return `${a}${b}${i % 3 === 0 ? c : ''}`
})

/** Small deterministic generator, so both the boards and the queries are the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function sentence(next: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')
}

/** The queries one person types: words, prefixes, word pairs, phrases, a word nowhere. */
function queries(): string[] {
  const next = rng(7)
  const word = () => WORDS[Math.floor(next() * WORDS.length)] as string
  const out: string[] = []
  for (let i = 0; i < 8; i++) out.push(word())
  for (let i = 0; i < 4; i++) out.push(word().slice(0, 3))
  for (let i = 0; i < 4; i++) out.push(`${word()} ${word()}`)
  for (let i = 0; i < 3; i++) out.push(`"${sentence(next, 2)}"`)
  out.push('zzyzx')
  return out
}

async function getTimed(url: string): Promise<{ ms: number; status: number; body: Uint8Array }> {
  const t0 = performance.now()
  const r = await fetch(url, { signal: AbortSignal.timeout(30_000) })
  const body = new Uint8Array(await r.arrayBuffer())
  return { ms: performance.now() - t0, status: r.status, body }
}

async function post(url: string, body: unknown): Promise<unknown> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  const text = await r.text()
  if (!r.ok) throw new Error(`POST ${url} → ${r.status}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as unknown
}

/** A writer with a doc and a watcher that counts relayed updates (each is committed). */
async function openPair(url: string, log: ClientLog) {
  let relayed = 0
  const watcher = BenchClient.create(url, log, { onUpdate: () => relayed++ })
  const doc = new Y.Doc()
  const writer = BenchClient.create(url, log, { doc })
  await Promise.all([watcher.opened, writer.opened])
  const synced = await Promise.all([watcher.whenSynced(15_000), writer.whenSynced(15_000)])
  if (!synced.every(Boolean)) throw new Error(`${url} did not sync`)
  // The sync step 2 the watcher got counts as one update.
  const base = relayed
  return {
    doc,
    relayed: () => relayed - base,
    close: () => Promise.all([watcher.close(), writer.close()]),
  }
}

function summary(h: Histogram, prefix: string): Metrics {
  return {
    [`${prefix}P50Ms`]: round(h.quantile(0.5)),
    [`${prefix}P95Ms`]: round(h.quantile(0.95)),
    [`${prefix}MaxMs`]: round(h.count ? h.max : null),
  }
}

export const history: Scenario<Params> = {
  name: 'history',
  title:
    'History and search (HTTP): a board with 200 media versions and 5000 comments; 100 boards searched',
  loupeOnly: 'n/a (no history or search)',
  notes: [
    'Targets: history list and opening a version under 300 ms; search p95 under 50 ms over 100 boards.',
    'The history board is built in steps over the document socket; after each step (seen relayed by a second client, so committed) its state is named with POST /api/boards/<id>/versions. "Open" is GET …/versions/<id>/export to the last byte; "open + build" adds Y.applyUpdate into a fresh Y.Doc in the load generator, as a client rendering it would. Versions opened: spread evenly over the list, newest (largest) included.',
    'Search: GET /api/search?q=…&workspace=… (limit 50) over the workspace, sequential (one person typing), cycling through 20 fixed queries: 8 words, 4 three-letter prefixes, 4 word pairs, 3 quoted phrases, 1 word found nowhere. Measured once the index holds every board.',
  ],
  cases(quick) {
    const params: Params = quick
      ? {
          steps: 20,
          mediaItems: 4,
          comments: 500,
          searchBoards: 10,
          tasksPerBoard: 20,
          commentsPerBoard: 20,
          listRequests: 10,
          opens: 10,
          searches: 40,
        }
      : {
          steps: 200,
          mediaItems: 20,
          comments: 5000,
          searchBoards: 100,
          tasksPerBoard: 40,
          commentsPerBoard: 60,
          listRequests: 30,
          opens: 30,
          searches: 200,
        }
    return [
      {
        label: `${params.steps} media versions and named versions, ${params.comments} comments; ${params.searchBoards} boards searched`,
        params,
        rooms: 1 + params.searchBoards,
        timeoutMs: quick ? 120_000 : 300_000,
      },
    ]
  },
  rows: [
    { key: 'versionsListed', label: 'versions in the list', digits: 0 },
    { key: 'listP50Ms', label: 'history list p50 (ms)' },
    { key: 'listP95Ms', label: 'history list p95 (ms)' },
    { key: 'listMaxMs', label: 'history list max (ms)' },
    { key: 'openP50Ms', label: 'open a version (export) p50 (ms)' },
    { key: 'openP95Ms', label: 'open a version (export) p95 (ms)' },
    { key: 'openMaxMs', label: 'open a version (export) max (ms)' },
    { key: 'openBuildP95Ms', label: 'open + build the Y.Doc p95 (ms)' },
    { key: 'newestVersionBytes', label: 'newest version (bytes)', digits: 0 },
    { key: 'searchP50Ms', label: 'search p50 (ms)' },
    { key: 'searchP95Ms', label: 'search p95 (ms)' },
    { key: 'searchMaxMs', label: 'search max (ms)' },
    { key: 'searchResultsMean', label: 'results per search (mean)', digits: 1 },
    { key: 'boardsIndexed', label: 'boards found by their marker', digits: 0 },
    { key: 'buildMs', label: 'building the boards (ms)', digits: 0 },
    { key: 'indexWaitMs', label: 'waiting for the search index (ms)', digits: 0 },
    { key: 'requestErrors', label: 'requests that failed', digits: 0 },
  ],
  async drive(p, urls, io) {
    const first = urls[0]
    if (first === undefined) throw new Error('history needs boards')
    const host = new URL(first).host
    const api = `http://${host}/api`
    const boardOf = (url: string) => url.slice(url.lastIndexOf('/') + 1)
    const historyBoard = boardOf(first)
    const boardInfo = (await (await fetch(`${api}/boards/${historyBoard}`)).json()) as {
      board?: { workspaceId?: string }
    }
    const workspace = boardInfo.board?.workspaceId
    if (!workspace) throw new Error(`no workspace for ${historyBoard}`)
    let requestErrors = 0
    const t0 = performance.now()

    // The history board, step by step, a named version after each.
    const h = await openPair(first, io.log)
    const next = rng(1)
    const threads = p.mediaItems * 5
    const perStep = Math.ceil(p.comments / p.steps)
    let comments = 0
    for (let step = 0; step < p.steps; step++) {
      h.doc.transact(() => {
        const item = step % p.mediaItems
        const version = { hash: `${step}`.padStart(64, 'a'), name: `shot-${item}.png`, bytes: 1 }
        if (step < p.mediaItems) {
          addMedia(h.doc, { id: `m${item}`, kind: 'image', addedBy: AUTHOR, ...version })
          for (let t = 0; t < 5; t++)
            createThread(h.doc, {
              id: `th${item * 5 + t}`,
              anchor: { type: 'media', id: `m${item}` },
              createdBy: AUTHOR,
            })
        } else {
          addMediaVersion(h.doc, `m${item}`, { addedBy: AUTHOR, ...version })
        }
        const known = Math.min(threads, (Math.min(step, p.mediaItems - 1) + 1) * 5)
        for (let c = 0; c < perStep && comments < p.comments; c++, comments++)
          addComment(h.doc, `th${comments % known}`, {
            id: `c${comments}`,
            authorId: AUTHOR,
            body: sentence(next, 8),
          })
      })
      if (!(await waitUntil(() => h.relayed() >= step + 1, 15_000, 5)))
        throw new Error(`step ${step} was not relayed within 15 s`)
      await post(`${api}/boards/${historyBoard}/versions`, { name: `step ${step}` })
    }
    await h.close()

    // The boards searched: tasks and comments from the same vocabulary, and a marker each.
    await mapLimit(urls.slice(1, 1 + p.searchBoards), 10, async (url, b) => {
      const s = await openPair(url, io.log)
      const r = rng(100 + b)
      s.doc.transact(() => {
        for (let t = 0; t < p.tasksPerBoard; t++)
          createTask(s.doc, {
            id: `t${t}`,
            title: t === 0 ? `benchmarker${b} ${sentence(r, 3)}` : sentence(r, 4),
            description: sentence(r, 20),
            status: taskStatuses[t % taskStatuses.length] ?? 'todo',
            order: `a${String(t).padStart(4, '0')}`,
            createdBy: AUTHOR,
          })
        createThread(s.doc, {
          id: 'th0',
          anchor: { type: 'board', id: boardOf(url) },
          createdBy: AUTHOR,
        })
        for (let c = 0; c < p.commentsPerBoard; c++)
          addComment(s.doc, 'th0', { id: `c${c}`, authorId: AUTHOR, body: sentence(r, 10) })
      })
      if (!(await waitUntil(() => s.relayed() >= 1, 15_000, 5)))
        throw new Error(`${url} was not relayed within 15 s`)
      await s.close()
    })
    const buildMs = performance.now() - t0

    // The index is kept current in the background: wait until every marker is found.
    const t1 = performance.now()
    let boardsIndexed = 0
    const indexed = async () => {
      const r = await getTimed(`${api}/search?q=benchmarker&workspace=${workspace}&limit=200`)
      const body = JSON.parse(new TextDecoder().decode(r.body)) as { results?: unknown[] }
      boardsIndexed = body.results?.length ?? 0
      return boardsIndexed >= p.searchBoards
    }
    while (!(await indexed()) && performance.now() - t1 < 60_000) await sleep(200)
    const indexWaitMs = performance.now() - t1

    await io.windowStart()
    const list = new Histogram()
    let versionIds: string[] = []
    for (let i = 0; i < p.listRequests; i++) {
      const r = await getTimed(`${api}/boards/${historyBoard}/versions`)
      if (r.status !== 200) requestErrors++
      else list.record(r.ms)
      const body = JSON.parse(new TextDecoder().decode(r.body)) as {
        versions?: Array<{ id: string }>
      }
      versionIds = body.versions?.map((v) => v.id) ?? versionIds
    }
    const open = new Histogram()
    const openBuild = new Histogram()
    let newestVersionBytes = 0
    for (let i = 0; i < p.opens && versionIds.length > 0; i++) {
      // Newest first (the list is newest first), then spread over the rest.
      const at = Math.floor((i * versionIds.length) / p.opens)
      const id = versionIds[at] as string
      const r = await getTimed(`${api}/boards/${historyBoard}/versions/${id}/export`)
      if (r.status !== 200) {
        requestErrors++
        continue
      }
      const t2 = performance.now()
      Y.applyUpdate(new Y.Doc(), r.body)
      open.record(r.ms)
      openBuild.record(r.ms + performance.now() - t2)
      if (at === 0) newestVersionBytes = r.body.byteLength
    }
    const search = new Histogram()
    const qs = queries()
    let results = 0
    for (let i = 0; i < p.searches; i++) {
      const q = encodeURIComponent(qs[i % qs.length] as string)
      const r = await getTimed(`${api}/search?q=${q}&workspace=${workspace}`)
      if (r.status !== 200) {
        requestErrors++
        continue
      }
      search.record(r.ms)
      results += (JSON.parse(new TextDecoder().decode(r.body)) as { results: unknown[] }).results
        .length
    }
    await io.windowEnd()

    return {
      versionsListed: versionIds.length,
      ...summary(list, 'list'),
      ...summary(open, 'open'),
      openBuildP95Ms: round(openBuild.quantile(0.95)),
      newestVersionBytes,
      ...summary(search, 'search'),
      searchResultsMean: round(search.count ? results / search.count : null, 1),
      boardsIndexed,
      buildMs: round(buildMs, 0),
      indexWaitMs: round(indexWaitMs, 0),
      requestErrors,
      work: list.count + open.count + search.count,
      workUnit: 'HTTP request (list, export or search)',
    }
  },
}
