/**
 * Video byte ranges on `GET /api/media/<hash>` (README "Media"): an uploaded MP4 is served whole
 * without a Range header, and as 206 partial content for `bytes=a-b`, `bytes=a-` and `bytes=-n`
 * (as video players ask when seeking); a range past the end is 416. test/media.test.ts covers
 * uploads, access and one closed range on an image; test/media-safety.test.ts the headers on
 * these answers and the Range headers that are ignored.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, startTestServer } from './harness.ts'
import { mp4 } from './media-samples.ts'

afterEach(cleanup)

describe('media byte ranges', () => {
  it('serves an MP4 whole, in ranges (a-b, a-, -n) with 206 and Content-Range, and 416 past the end', async () => {
    const t = await startTestServer()
    const boardId = await t.createBoard('Cuts')
    const video = mp4()
    const size = video.byteLength
    const uploaded = await fetch(`${t.url}/api/media?board=${boardId}`, {
      method: 'POST',
      headers: { 'content-type': 'video/mp4' },
      body: video as Uint8Array<ArrayBuffer>,
    })
    expect(uploaded.status).toBe(201)
    const { media } = (await uploaded.json()) as {
      media: { hash: string; mime: string; kind: string; bytes: number; url: string }
    }
    expect(media).toMatchObject({ mime: 'video/mp4', kind: 'video', bytes: size })

    const get = (range?: string) =>
      fetch(`${t.url}${media.url}`, { headers: range ? { range } : {} })
    const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer())

    const whole = await get()
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('video/mp4')
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(whole.headers.get('content-length')).toBe(String(size))
    expect(await bytesOf(whole)).toEqual(video)

    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=10-', 10, size - 1],
      ['bytes=-5', size - 5, size - 1],
      // A last position past the end is cut to the end.
      [`bytes=${size - 3}-${size + 100}`, size - 3, size - 1],
    ]
    for (const [range, start, end] of cases) {
      const part = await get(range)
      expect({ range, status: part.status }).toEqual({ range, status: 206 })
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`)
      expect(part.headers.get('content-length')).toBe(String(end - start + 1))
      expect(part.headers.get('content-type')).toBe('video/mp4')
      expect(await bytesOf(part)).toEqual(video.subarray(start, end + 1))
    }

    for (const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`]) {
      const unsatisfiable = await get(range)
      expect({ range, status: unsatisfiable.status }).toEqual({ range, status: 416 })
      expect(unsatisfiable.headers.get('content-range')).toBe(`bytes */${size}`)
      expect((await bytesOf(unsatisfiable)).byteLength).toBe(0)
    }
  })
})
