/**
 * Reports (docs/product.md, "Export"): the HTML report opens as one self-contained page with
 * the image, its annotations as SVG, verdicts, threads and tasks, every user string escaped;
 * the tasks CSV is RFC 4180 and safe to open in a spreadsheet.
 */
import { JSDOM } from 'jsdom'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  addComment,
  addMedia,
  board,
  createAnnotation,
  createTask,
  createThread,
} from '../shared/schema/board.ts'
import { authServer, createBoard, invite, setupOwner } from './accounts.ts'
import { cleanup, eventually, synced, type TestServer } from './harness.ts'
import { png } from './media-samples.ts'

afterEach(cleanup)

const HOSTILE_TITLE = '<script>alert("title")</script> & co'
const HOSTILE_TASK = '"><img src=x onerror=alert(2)>'
const HOSTILE_COMMENT = '</style><script>alert(3)</script>\nsecond line'
const HOSTILE_MEDIA = "<b onmouseover='x()'>shot</b>.png"

async function upload(t: TestServer, token: string, boardId: string, bytes: Uint8Array) {
  const response = await fetch(`${t.url}/api/media?board=${boardId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
    body: bytes as Uint8Array<ArrayBuffer>,
  })
  expect(response.status).toBe(201)
  return ((await response.json()) as { media: { hash: string } }).media.hash
}

/** Fills a board over its socket and waits until the server has committed it. */
async function fill(t: TestServer, boardId: string, token: string, edit: (doc: Y.Doc) => void) {
  const doc = new Y.Doc()
  const provider = t.provider(boardId, doc, { token })
  await synced(provider)
  edit(doc)
  await eventually(async () => {
    const exported = await t.api<Uint8Array>(`/api/boards/${boardId}/export`, { token })
    const stored = new Y.Doc()
    Y.applyUpdate(stored, exported.body)
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(doc))
  })
  provider.destroy()
}

async function setup() {
  const t = await authServer()
  const owner = await setupOwner(t)
  const boardId = await createBoard(t, owner.token, owner.workspaceId, 'report')
  const renamed = await t.api(`/api/boards/${boardId}`, {
    method: 'PATCH',
    token: owner.token,
    json: { title: HOSTILE_TITLE },
  })
  expect(renamed.status).toBe(200)
  return { t, owner, boardId }
}

describe('HTML report', () => {
  it('is one self-contained page: image, annotations as SVG, verdicts, threads, tasks — all escaped', async () => {
    const { t, owner, boardId } = await setup()
    const image = png(40, 20)
    const hash = await upload(t, owner.token, boardId, image)
    // Another workspace's file, named by hash on this board: it must not leak into the report.
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const elsewhere = await createBoard(t, owner.token, other.body.workspace.id, 'elsewhere')
    const foreign = await upload(t, owner.token, elsewhere, png(8, 8, 3))
    await fill(t, boardId, owner.token, (doc) => {
      const uid = owner.user.id
      addMedia(doc, {
        id: 'm1',
        kind: 'image',
        hash,
        name: HOSTILE_MEDIA,
        bytes: image.byteLength,
        addedBy: uid,
      })
      addMedia(doc, {
        id: 'm2',
        kind: 'image',
        hash: foreign,
        name: 'foreign.png',
        bytes: 1,
        addedBy: uid,
      })
      const annotate = (id: string, shape: never, color = '#00ff00') =>
        createAnnotation(doc, {
          id,
          mediaId: 'm1',
          shape,
          color,
          authorId: uid,
          threadId: `th-${id}`,
        })
      annotate('a1', { type: 'rect', x: 0.1, y: 0.1, w: 0.3, h: 0.2 } as never)
      annotate('a2', { type: 'pin', x: 0.5, y: 0.5 } as never, 'red" onload="alert(4)')
      annotate('a3', { type: 'arrow', from: { x: 0, y: 0 }, to: { x: 1, y: 1 } } as never)
      annotate('a4', {
        type: 'path',
        points: [
          { x: 0.2, y: 0.8 },
          { x: 0.3, y: 0.9 },
        ],
      } as never)
      annotate('a5', { type: 'ellipse', cx: 0.5, cy: 0.5, rx: 'x', ry: 1 } as never)
      createThread(doc, { id: 'th-a1', anchor: { type: 'annotation', id: 'a1' }, createdBy: uid })
      addComment(doc, 'th-a1', { id: 'c1', authorId: uid, body: HOSTILE_COMMENT })
      board(doc)
        .media.get('m1')
        ?.get('reviews')
        ?.set(uid, {
          version: 1,
          verdict: 'changes_requested',
          at: Date.UTC(2026, 11, 6, 9, 30),
        })
      board(doc)
        .media.get('m2')
        ?.get('reviews')
        ?.set('ghost', '<odd>' as never)
      createTask(doc, {
        id: 't1',
        title: HOSTILE_TASK,
        order: 'a0',
        createdBy: uid,
        description: 'fix <it>',
      })
    })

    expect((await fetch(`${t.url}/api/boards/${boardId}/report`)).status).toBe(401)
    const response = await fetch(`${t.url}/api/boards/${boardId}/report?token=${owner.token}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="script-alert-title-script-co-report.html"',
    )
    const html = await response.text()
    const { document } = new JSDOM(html).window

    // Nothing user-written became markup.
    expect(document.querySelectorAll('script')).toHaveLength(0)
    expect(html).not.toMatch(/<script|<img src=x|<b onmouseover|onload=/i)
    expect(document.querySelector('h1')?.textContent).toBe(HOSTILE_TITLE)
    expect(document.title).toBe(`${HOSTILE_TITLE} — review report`)
    expect(document.body.textContent).toContain(HOSTILE_TASK)
    expect(document.body.textContent).toContain(HOSTILE_MEDIA)
    expect([...document.querySelectorAll('.comment .body')].map((b) => b.textContent)).toEqual([
      HOSTILE_COMMENT,
    ])
    // No remote loads: the only image is the embedded file, its bytes inline.
    const images = [...document.querySelectorAll('img')]
    expect(images).toHaveLength(1)
    expect(images[0]?.getAttribute('src')).toBe(
      `data:image/png;base64,${Buffer.from(image).toString('base64')}`,
    )
    expect(html).not.toContain(Buffer.from(png(8, 8, 3)).toString('base64'))
    expect(document.body.textContent).toContain('not available')
    expect(document.querySelector('meta[http-equiv="Content-Security-Policy"]')).not.toBeNull()

    // The annotations, drawn in the image's own pixel space; a bad colour falls back.
    const svg = document.querySelector('.media .overlay')
    expect(svg?.getAttribute('viewBox')).toBe('0 0 40 20')
    expect(svg?.querySelector('rect')?.getAttribute('width')).toBe('12')
    expect(svg?.querySelectorAll('g.annotation')).toHaveLength(4)
    expect(svg?.querySelector('line')?.getAttribute('marker-end')).toMatch(/^url\(#arrow-\d+\)$/)
    expect(svg?.querySelector('polyline')?.getAttribute('points')).toBe('8,16 12,18')
    expect(svg?.innerHTML).toContain('fill="#e5484d"')

    // Threads with authors and times, verdicts, tasks.
    const thread = document.querySelector('.thread')
    expect(thread?.textContent).toContain('Thread on annotation #1')
    expect(thread?.querySelector('.comment strong')?.textContent).toBe('Olive')
    expect(thread?.querySelector('time')?.textContent).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC/)
    const verdicts = [...document.querySelectorAll('table')][0]
    expect(verdicts?.textContent).toContain('Changes requested')
    expect(verdicts?.textContent).toContain('2026-12-06 09:30 UTC')
    const tasks = [...document.querySelectorAll('table')].at(-1)
    expect(tasks?.querySelector('td')?.textContent).toBe(`${HOSTILE_TASK}fix <it>`)
    expect(html).toContain('@media print')
  })

  it('is for those who may read the board', async () => {
    const { t, owner, boardId } = await setup()
    const viewer = await invite(t, owner.token, owner.workspaceId, 'viewer', 'vic')
    expect(
      (await fetch(`${t.url}/api/boards/${boardId}/report?token=${viewer.token}`)).status,
    ).toBe(200)
    const other = await t.api<{ workspace: { id: string } }>('/api/workspaces', {
      method: 'POST',
      token: owner.token,
      json: { name: 'Other' },
    })
    const hidden = await createBoard(t, owner.token, other.body.workspace.id, 'hidden')
    for (const path of ['report', 'tasks.csv'])
      expect(
        (await fetch(`${t.url}/api/boards/${hidden}/${path}?token=${viewer.token}`)).status,
      ).toBe(404)
    expect(
      (
        await fetch(`${t.url}/api/boards/${boardId}/tasks.csv`, {
          headers: { authorization: `Bearer ${viewer.token}` },
        })
      ).status,
    ).toBe(200)
  })
})

/** An RFC 4180 reader: quoted fields, doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(field)
      field = ''
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += char
  }
  return rows
}

describe('tasks CSV', () => {
  it('has a header row, one task a row, RFC 4180 quoting, and no formulas', async () => {
    const { t, owner, boardId } = await setup()
    const titles = [
      '=HYPERLINK("http://evil.example","click")',
      '+1+2',
      '-3',
      '@SUM(A1:A2)',
      'plain, with a comma',
      'with "quotes"',
      'ünïcødé 🎉',
    ]
    await fill(t, boardId, owner.token, (doc) => {
      titles.forEach((title, i) =>
        createTask(doc, {
          id: `t${i}`,
          title,
          order: `a${i}`,
          createdBy: owner.user.id,
          assigneeId: owner.user.id,
          description: i === 0 ? 'line one\nline two' : '',
        }),
      )
    })
    const response = await fetch(`${t.url}/api/boards/${boardId}/tasks.csv?token=${owner.token}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/)
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename=".+-tasks\.csv"$/,
    )
    const raw = Buffer.from(await response.arrayBuffer()).toString('utf8')
    expect(raw.startsWith('\uFEFF')).toBe(true)
    expect(raw.endsWith('\r\n')).toBe(true)
    expect(raw).toContain('"\'=HYPERLINK(""http://evil.example"",""click"")"')
    const [header, ...rows] = parseCsv(raw.slice(1))
    expect(header).toEqual([
      'id',
      'title',
      'status',
      'priority',
      'assignee',
      'assignee_id',
      'due',
      'description',
      'created_by',
      'created_at',
      'updated_at',
    ])
    expect(rows).toHaveLength(titles.length)
    expect(rows.map((r) => r[1])).toEqual([
      '\'=HYPERLINK("http://evil.example","click")',
      "'+1+2",
      "'-3",
      "'@SUM(A1:A2)",
      'plain, with a comma',
      'with "quotes"',
      'ünïcødé 🎉',
    ])
    expect(rows[0]?.[4]).toBe('Olive')
    expect(rows[0]?.[7]).toBe('line one\nline two')
    for (const row of rows) expect(row).toHaveLength(header?.length ?? 0)
  })
})
