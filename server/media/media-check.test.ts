/**
 * Frame rates read at upload (docs/product.md, "The data": a version's `fps`): an MP4's video
 * track from its media timescale and time-to-sample table, a WebM's from its DefaultDuration
 * or, when a recorder wrote none, from the gaps between its first frames' timestamps.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { box, concat, ebml, ebmlHeader, mp4 } from '../../test/media-samples.ts'
import { snapFps } from '../../shared/schema/board.ts'
import { checkMedia } from './media-check.ts'

const dir = mkdtempSync(join(tmpdir(), 'loupe-fps-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
async function check(bytes: Uint8Array, mime: string) {
  const path = join(dir, `f${files++}`)
  writeFileSync(path, bytes)
  return checkMedia(path, mime, bytes.byteLength)
}

const u32 = (n: number) => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}
const ascii = (s: string) => new TextEncoder().encode(s)
const zeros = (n: number) => new Uint8Array(n)

/** A track's `mdia`: handler `kind`, media timescale, and `stts` entries [count, delta]. */
function mdia(kind: string, timescale: number, entries: Array<[number, number]>) {
  const mdhd = box('mdhd', zeros(4), zeros(8), u32(timescale), u32(0), zeros(4))
  const hdlr = box('hdlr', zeros(4), zeros(4), ascii(kind), zeros(12), ascii('x\0'))
  const stts = box(
    'stts',
    zeros(4),
    u32(entries.length),
    ...entries.flatMap(([n, d]) => [u32(n), u32(d)]),
  )
  return box('mdia', mdhd, hdlr, box('minf', box('stbl', stts)))
}

/** The sample MP4 with `mdia` boxes added to its one track (and an audio track first). */
function movie(video: Uint8Array, audio?: Uint8Array) {
  const plain = mp4()
  // The sample is ftyp, moov(mvhd, trak(tkhd)), mdat: rebuild the moov with fuller tracks.
  const view = new DataView(plain.buffer)
  const ftypEnd = view.getUint32(0)
  const moovEnd = ftypEnd + view.getUint32(ftypEnd)
  const mvhdStart = ftypEnd + 8
  const mvhdEnd = mvhdStart + view.getUint32(mvhdStart)
  const trakStart = mvhdEnd
  const tkhdStart = trakStart + 8
  const tkhd = plain.subarray(tkhdStart, tkhdStart + view.getUint32(tkhdStart))
  const tracks = [...(audio ? [box('trak', audio)] : []), box('trak', tkhd, video)]
  return concat(
    plain.subarray(0, ftypEnd),
    box('moov', plain.subarray(mvhdStart, mvhdEnd), ...tracks),
    plain.subarray(moovEnd),
  )
}

const uint = (n: number) => {
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Uint8Array.from(bytes.length ? bytes : [0])
}

/** A WebM with one video track (DefaultDuration if given) and one Cluster of frames at `times` (ms). */
function webm(options: { frameNs?: number; times?: number[]; live?: boolean }) {
  const info = ebml(0x1549a966, ebml(0x2ad7b1, uint(1_000_000)))
  const tracks = ebml(
    0x1654ae6b,
    ebml(
      0xae,
      ebml(0xd7, uint(1)),
      ebml(0x83, uint(1)),
      ebml(0x86, ascii('V_VP8')),
      ...(options.frameNs ? [ebml(0x23e383, uint(options.frameNs))] : []),
      ebml(0xe0, ebml(0xb0, uint(320)), ebml(0xba, uint(240))),
    ),
  )
  const blocks = (options.times ?? []).map((t) =>
    ebml(0xa3, Uint8Array.from([0x81, (t >> 8) & 0xff, t & 0xff, 0x80, 1, 2, 3])),
  )
  if (options.live) {
    const unknown = Uint8Array.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    return concat(
      ebmlHeader(),
      Uint8Array.from([0x18, 0x53, 0x80, 0x67]),
      unknown,
      info,
      tracks,
      Uint8Array.from([0x1f, 0x43, 0xb6, 0x75]),
      unknown,
      ebml(0xe7, uint(0)),
      ...blocks,
    )
  }
  return concat(
    ebmlHeader(),
    ebml(0x18538067, info, tracks, ebml(0x1f43b675, ebml(0xe7, uint(0)), ...blocks)),
  )
}

describe('frame rates read from the file', () => {
  it('MP4: the video track’s timescale over its usual sample duration, exact for NTSC', async () => {
    expect((await check(movie(mdia('vide', 25, [[50, 1]])), 'video/mp4')).fps).toBe(25)
    const ntsc = await check(movie(mdia('vide', 30000, [[300, 1001]])), 'video/mp4')
    expect(ntsc.fps).toBe(30000 / 1001)
    // A variable-rate file: the duration most samples have.
    const variable = movie(
      mdia('vide', 90000, [
        [2, 4500],
        [200, 3750],
        [1, 3000],
      ]),
    )
    expect((await check(variable, 'video/mp4')).fps).toBe(24)
  })

  it('MP4: the picture track, not the sound before it; none without a video track', async () => {
    const withSound = movie(mdia('vide', 600, [[10, 20]]), mdia('soun', 48000, [[100, 1024]]))
    const facts = await check(withSound, 'video/mp4')
    expect(facts.fps).toBe(30)
    expect(facts).toMatchObject({ width: 320, height: 240, durationMs: 2000 })
    expect((await check(mp4(), 'video/mp4')).fps).toBeUndefined()
  })

  it('MP4: an stts that claims more entries than it holds is refused', async () => {
    const mdhd = box('mdhd', zeros(4), zeros(8), u32(25), u32(0), zeros(4))
    const hdlr = box('hdlr', zeros(4), zeros(4), ascii('vide'), zeros(12))
    const stts = box('stts', zeros(4), u32(1000), u32(1), u32(1))
    const lying = movie(box('mdia', mdhd, hdlr, box('minf', box('stbl', stts))))
    await expect(check(lying, 'video/mp4')).rejects.toThrow(/stts lists more entries/)
  })

  it('WebM: DefaultDuration, else the usual gap between frames (as recorders write them)', async () => {
    expect((await check(webm({ frameNs: 40_000_000 }), 'video/webm')).fps).toBe(25)
    expect((await check(webm({ frameNs: 33_366_667 }), 'video/webm')).fps).toBe(30000 / 1001)
    const recorded = webm({ times: [0, 33, 67, 100, 133, 167, 200, 233, 267, 300], live: true })
    expect((await check(recorded, 'video/webm')).fps).toBe(30)
    const sized = webm({ times: [0, 40, 80, 120, 160] })
    expect((await check(sized, 'video/webm')).fps).toBe(25)
    expect((await check(webm({}), 'video/webm')).fps).toBeUndefined()
  })

  it('snaps near-standard rates and keeps others to three decimals', () => {
    expect(snapFps(29.97)).toBe(30000 / 1001)
    expect(snapFps(30.3)).toBe(30)
    expect(snapFps(12.5)).toBe(12.5)
    expect(snapFps(1000 / 7)).toBe(142.857)
    expect(snapFps(0)).toBeUndefined()
    expect(snapFps(Number.NaN)).toBeUndefined()
  })
})
