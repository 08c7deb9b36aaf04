/**
 * Media as untrusted content (issue 10, item 2; docs/operations.md "Media files"): uploads must
 * parse as the image or video they claim to be — polyglots and broken files are refused with
 * 415 naming the problem — and files are served so that no browser renders them as a page of
 * the app (nosniff, a sandboxing CSP, an inline disposition with a safe name). A stored row
 * whose file is gone answers 404, and a Range header that is not valid is ignored (RFC 9110).
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, startTestServer } from './harness.ts'
import {
  box,
  chromiumJpeg,
  concat,
  ebml,
  ebmlHeader,
  gif,
  jpeg,
  mp4,
  png,
  pngChunk,
  PNG_SIGNATURE,
  riffChunk,
  riffWebp,
  vp8lPixel,
  webm,
  webmLive,
  webpExtended,
  webpLossless,
  webpLossy,
  webpLossyExtended,
} from './media-samples.ts'

afterEach(cleanup)

const ascii = (s: string) => new TextEncoder().encode(s)
const HTML = ascii('<html><body><script>fetch("/api/me").then(r => r.text()).then(alert)</script>')

interface Uploaded {
  hash: string
  mime: string
  kind: string
  bytes: number
  url: string
  width?: number
  height?: number
  durationMs?: number
}

async function server() {
  const t = await startTestServer()
  const boardId = await t.createBoard('Media')
  const upload = async (bytes: Uint8Array, type: string) => {
    const response = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: bytes as Uint8Array<ArrayBuffer>,
    })
    const body = (await response.json()) as {
      media: Uploaded
      error: { code: string; message: string }
    }
    return { status: response.status, ...body }
  }
  return { t, upload }
}

/** A copy of `bytes` with `at` changed (for broken variants of a good file). */
const patched = (bytes: Uint8Array, at: number, value: number) => {
  const copy = Uint8Array.from(bytes)
  copy[at] = value
  return copy
}

describe('media uploads are parsed, not only sniffed', () => {
  it('accepts a genuine file of every type and reports its dimensions and duration', async () => {
    const { upload } = await server()
    const cases: Array<[string, string, Uint8Array, Partial<Uploaded>]> = [
      ['PNG', 'image/png', png(4, 3), { width: 4, height: 3 }],
      ['JPEG (hand-built)', 'image/jpeg', jpeg(16, 8), { width: 16, height: 8 }],
      ['JPEG (Chromium)', 'image/jpeg', chromiumJpeg(), { width: 2, height: 2 }],
      ['GIF', 'image/gif', gif(), { width: 1, height: 1 }],
      ['WebP lossy', 'image/webp', webpLossy(), { width: 2, height: 2 }],
      ['WebP lossless', 'image/webp', webpLossless(), { width: 1, height: 1 }],
      ['WebP extended', 'image/webp', webpExtended(), { width: 1, height: 1 }],
      ['WebP extended lossy', 'image/webp', webpLossyExtended(), { width: 2, height: 2 }],
      ['MP4', 'video/mp4', mp4(), { width: 320, height: 240, durationMs: 2000 }],
      [
        'QuickTime',
        'video/quicktime',
        mp4('qt  ', 1500),
        { mime: 'video/quicktime', width: 320, height: 240, durationMs: 1500 },
      ],
      ['WebM', 'video/webm', webm(), { width: 320, height: 240, durationMs: 2000 }],
      ['WebM, live recording', 'video/webm', webmLive(), { width: 320, height: 240 }],
    ]
    for (const [name, type, bytes, facts] of cases) {
      const answer = await upload(bytes, type)
      expect({ name, status: answer.status, error: answer.error }).toEqual({
        name,
        status: 201,
        error: undefined,
      })
      expect(answer.media, name).toMatchObject({ mime: type, bytes: bytes.byteLength, ...facts })
    }
  })

  it('refuses polyglots: a PNG signature or an ftyp box followed by HTML', async () => {
    const { upload } = await server()
    const cases: Array<[string, string, Uint8Array, string]> = [
      ['PNG signature + HTML', 'image/png', concat(PNG_SIGNATURE, HTML), 'not a chunk'],
      ['a whole PNG + HTML', 'image/png', concat(png(), HTML), 'follow the IEND chunk'],
      [
        'ftyp + HTML',
        'video/mp4',
        concat(box('ftyp', ascii('isom'), new Uint8Array(4), ascii('isom')), HTML),
        'at byte 20',
      ],
      ['a whole MP4 + HTML', 'video/mp4', concat(mp4(), HTML), 'at byte'],
      ['a whole GIF + HTML', 'image/gif', concat(gif(), HTML), 'follow the trailer'],
    ]
    for (const [name, type, bytes, problem] of cases) {
      const answer = await upload(bytes, type)
      expect({ name, status: answer.status, code: answer.error?.code }).toEqual({
        name,
        status: 415,
        code: 'unsupported_media_type',
      })
      expect(answer.error.message, name).toContain(`not a valid ${type}`)
      expect(answer.error.message, name).toContain(problem)
    }
  })

  it('refuses files whose structure is broken, saying what is wrong', async () => {
    const { upload } = await server()
    const good = png(4, 3)
    const ihdr = (width: number, height: number, depth = 8, colour = 2) =>
      concat(
        PNG_SIGNATURE,
        pngChunk(
          'IHDR',
          concat(
            Uint8Array.from([0, 0, width >> 8, width & 0xff, 0, 0, height >> 8, height & 0xff]),
            Uint8Array.from([depth, colour, 0, 0, 0]),
          ),
        ),
        good.subarray(33),
      )
    const goodJpeg = jpeg(16, 8)
    const sof = goodJpeg.findIndex((b, i) => b === 0xff && goodJpeg[i + 1] === 0xc0)
    const sos = goodJpeg.findIndex((b, i) => b === 0xff && goodJpeg[i + 1] === 0xda)
    const noMoov = concat(
      box('ftyp', ascii('isom'), new Uint8Array(4), ascii('isom')),
      box('mdat', new Uint8Array(100)),
    )
    const cases: Array<[string, string, Uint8Array, string]> = [
      ['PNG, a byte of IDAT changed', 'image/png', patched(good, 45, good[45]! ^ 1), 'CRC'],
      ['PNG, cut short', 'image/png', good.subarray(0, good.byteLength - 12), 'past the end'],
      ['PNG, zero width', 'image/png', ihdr(0, 3), 'dimensions are 0×3'],
      ['PNG, bit depth 3', 'image/png', ihdr(4, 3, 3), 'bit depth 3'],
      ['PNG, no image data', 'image/png', concat(good.subarray(0, 33), good.subarray(-12)), 'IDAT'],
      ['JPEG, no end marker', 'image/jpeg', goodJpeg.subarray(0, -2), 'end-of-image'],
      [
        'JPEG, no frame header',
        'image/jpeg',
        concat(goodJpeg.subarray(0, sof), goodJpeg.subarray(sof + 13)),
        'before the frame header',
      ],
      [
        'JPEG, scan header cut',
        'image/jpeg',
        concat(goodJpeg.subarray(0, sos + 4), Uint8Array.from([0xff, 0xd9])),
        'scan header',
      ],
      ['GIF, no trailer', 'image/gif', gif().subarray(0, -1), 'trailer'],
      ['GIF, no image', 'image/gif', concat(gif().subarray(0, 13 + 6), ascii(';')), 'no image'],
      ['WebP, RIFF size wrong', 'image/webp', concat(webpLossless(), ascii('xx')), 'RIFF size'],
      [
        'WebP, VP8L without its signature',
        'image/webp',
        riffWebp(riffChunk('VP8L', patched(vp8lPixel(), 0, 0))),
        'VP8L has no signature',
      ],
      [
        'WebP, VP8X without an image',
        'image/webp',
        riffWebp(riffChunk('VP8X', new Uint8Array(10))),
        'without an image chunk',
      ],
      ['MP4, no moov', 'video/mp4', noMoov, 'no movie box (moov)'],
      ['MP4, last box cut short', 'video/mp4', mp4().subarray(0, -10), 'runs past its end'],
      ['WebM, Matroska', 'video/webm', webm('matroska'), 'DocType is matroska'],
      ['WebM, bytes after the Segment', 'video/webm', concat(webm(), HTML), 'follow the Segment'],
      [
        'WebM, no Tracks',
        'video/webm',
        concat(ebmlHeader(), ebml(0x18538067, ebml(0x1549a966))),
        'no Info or no Tracks',
      ],
    ]
    for (const [name, type, bytes, problem] of cases) {
      const answer = await upload(bytes, type)
      expect({ name, status: answer.status, code: answer.error?.code }).toEqual({
        name,
        status: 415,
        code: 'unsupported_media_type',
      })
      expect(answer.error.message, name).toContain(problem)
    }
  })

  it('refuses an image larger than 65535 on a side', async () => {
    const { upload } = await server()
    const wide = concat(
      PNG_SIGNATURE,
      pngChunk('IHDR', Uint8Array.from([0, 1, 0, 0, 0, 0, 0, 1, 8, 2, 0, 0, 0])),
      png(1, 1).subarray(33),
    )
    const answer = await upload(wide, 'image/png')
    expect(answer.status).toBe(415)
    expect(answer.error.message).toContain('65536×1 is larger than allowed')
  })
})

describe('media is served as media, never as a page', () => {
  async function stored(upload: Awaited<ReturnType<typeof server>>['upload']) {
    const answer = await upload(png(8, 8), 'image/png')
    expect(answer.status).toBe(201)
    return answer.media
  }

  it('sends nosniff, a sandboxing CSP, an inline disposition and private caching on 200 and 206', async () => {
    const { t, upload } = await server()
    const media = await stored(upload)
    const whole = await fetch(`${t.url}${media.url}`)
    const part = await fetch(`${t.url}${media.url}`, { headers: { range: 'bytes=0-7' } })
    expect(whole.status).toBe(200)
    expect(part.status).toBe(206)
    for (const response of [whole, part]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox")
      expect(response.headers.get('content-disposition')).toBe(
        `inline; filename="${media.hash}.png"`,
      )
      expect(response.headers.get('cache-control')).toMatch(/^private, max-age=\d+/)
      expect(response.headers.get('content-type')).toBe('image/png')
    }
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(PNG_SIGNATURE)
    expect(new Uint8Array(await whole.arrayBuffer()).byteLength).toBe(media.bytes)
  })

  it('answers 404 with a JSON body, not a dropped connection, when the stored file is missing', async () => {
    const { t, upload } = await server()
    const media = await stored(upload)
    rmSync(join(t.dataDir, 'media', media.hash))
    for (const headers of [{}, { range: 'bytes=0-3' }] as Array<Record<string, string>>) {
      const response = await fetch(`${t.url}${media.url}`, { headers })
      expect(response.status).toBe(404)
      expect(await response.json()).toEqual({
        error: { code: 'not_found', message: 'the file of this media is missing on the server' },
      })
    }
    expect(t.logs.some((l) => l.msg === 'media file missing (restore it from a backup)')).toBe(true)
    // The server is still fine.
    expect((await t.api('/healthz')).status).toBe(200)
  })

  it('ignores a Range header that is not valid (RFC 9110) and sends the whole file; 416 past the end', async () => {
    const { t, upload } = await server()
    const media = await stored(upload)
    const get = (range: string) => fetch(`${t.url}${media.url}`, { headers: { range } })
    for (const range of ['bytes=5-2', 'bytes=1-2,4-5', 'items=0-3', 'bytes=x-3', 'bytes=-']) {
      const response = await get(range)
      expect({ range, status: response.status }).toEqual({ range, status: 200 })
      expect(response.headers.get('content-range')).toBeNull()
      expect(response.headers.get('content-length')).toBe(String(media.bytes))
      expect((await response.arrayBuffer()).byteLength).toBe(media.bytes)
    }
    for (const range of [
      `bytes=${media.bytes}-`,
      `bytes=${media.bytes + 5}-${media.bytes + 9}`,
      'bytes=-0',
    ]) {
      const response = await get(range)
      expect({ range, status: response.status }).toEqual({ range, status: 416 })
      expect(response.headers.get('content-range')).toBe(`bytes */${media.bytes}`)
    }
  })
})
