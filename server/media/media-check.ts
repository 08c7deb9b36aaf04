/**
 * Checks that an uploaded file really is the image or video its first bytes say, by parsing its
 * structure from the stored temporary file (a second pass: positioned reads through a 64 KiB
 * window, never the whole file in memory), and reads its dimensions (and a video's duration).
 * A file that only starts like a PNG or an MP4 and then carries something else (a polyglot:
 * a PNG signature followed by HTML, an `ftyp` box followed by HTML) is refused with 415.
 *
 * What each format must satisfy (docs/operations.md, "Media files"):
 *
 * - PNG: IHDR first (13 bytes, a valid bit depth and colour type, width and height from 1 to
 *   65535), every chunk's CRC, known critical chunks only, consecutive IDATs, PLTE for indexed
 *   colour, and IEND last with nothing after it.
 * - JPEG: SOI, well-formed marker segments, one SOF with its dimensions before the first SOS,
 *   entropy-coded data up to an EOI. Bytes after the EOI are allowed: cameras and phones put
 *   more pictures there (MPF, motion photos).
 * - GIF: GIF87a/GIF89a header with the logical screen size, colour tables, extension and image
 *   blocks with their sub-blocks, at least one image, the trailer, and nothing after it.
 * - WebP: RIFF size equal to the file's, chunks (padded to even) that tile it exactly, and a
 *   VP8 (key frame), VP8L or VP8X first chunk with the dimensions; VP8X needs an image chunk.
 * - MP4 and QuickTime: ISO-BMFF boxes whose sizes tile the file exactly, `ftyp` first, a
 *   `moov` (whose own boxes tile it) — width and height from the first visual track's `tkhd`,
 *   duration from `mvhd`.
 * - WebM: an EBML header with DocType `webm`, then one Segment (known size ending at the end
 *   of the file, or unknown size as live recorders write) whose elements parse, with Info and
 *   Tracks before any element of unknown size.
 *
 * Images larger than 65535 on a side or 2^28 pixels are refused (decoding one takes over 1 GiB).
 */
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { snapFps } from '../../shared/schema/board.ts'
import { LoupeError } from '../errors.ts'

/** What the parse learnt about a file. */
export interface MediaFacts {
  width?: number
  height?: number
  durationMs?: number
  /** Frames per second of a video's picture track, when the file says (or shows) it. */
  fps?: number
}

export const MAX_SIDE = 65535
export const MAX_PIXELS = 2 ** 28

const WINDOW = 64 * 1024

class Invalid extends Error {}
const invalid = (problem: string) => new Invalid(problem)

/** Sequential and positioned reads of one file through a small window. */
class Cursor {
  private readonly buf = Buffer.alloc(WINDOW)
  private start = 0
  private end = 0
  pos = 0

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  get left(): number {
    return this.size - this.pos
  }

  /** Makes the `n` bytes at `pos` readable with `view`; `what` names them in the error. */
  async need(n: number, what: string): Promise<void> {
    if (n > this.left) throw invalid(`${what} runs past the end of the file (at byte ${this.pos})`)
    if (this.pos >= this.start && this.pos + n <= this.end) return
    const length = Math.min(WINDOW, this.left)
    const { bytesRead } = await this.handle.read(this.buf, 0, length, this.pos)
    this.start = this.pos
    this.end = this.pos + bytesRead
    if (n > bytesRead) throw invalid(`${what} could not be read (at byte ${this.pos})`)
  }

  /** The `n` bytes at `pos` (after `need`), without copying; valid until the next read. */
  view(n: number): Buffer {
    const at = this.pos - this.start
    return this.buf.subarray(at, at + n)
  }

  async take(n: number, what: string): Promise<Buffer> {
    await this.need(n, what)
    const bytes = Buffer.from(this.view(n))
    this.pos += n
    return bytes
  }

  async u8(what: string): Promise<number> {
    await this.need(1, what)
    return this.buf[this.pos++ - this.start] as number
  }

  skip(n: number, what: string): void {
    if (n > this.left) throw invalid(`${what} runs past the end of the file (at byte ${this.pos})`)
    this.pos += n
  }

  /** The CRC-32 of the next `n` bytes, continued from `value`; moves past them. */
  async crc(n: number, value: number, what: string): Promise<number> {
    if (n > this.left) throw invalid(`${what} runs past the end of the file (at byte ${this.pos})`)
    let crc = value
    let left = n
    while (left > 0) {
      const step = Math.min(left, WINDOW)
      await this.need(step, what)
      crc = crc32(this.view(step), crc)
      this.pos += step
      left -= step
    }
    return crc
  }

  /** Moves to the next 0xFF byte; throws `what` if the file ends first. */
  async toNextFF(what: string): Promise<void> {
    for (;;) {
      if (this.left === 0) throw invalid(what)
      await this.need(1, what)
      const found = this.buf.indexOf(0xff, this.pos - this.start)
      if (found !== -1 && found < this.end - this.start) {
        this.pos = this.start + found
        return
      }
      this.pos = this.end
    }
  }
}

/**
 * Parses the file at `path` as `mime` (a type `sniff` returned); resolves with what it learnt,
 * or throws a 415 naming what is wrong.
 */
export async function checkMedia(path: string, mime: string, size: number): Promise<MediaFacts> {
  const parse = parsers[mime]
  if (!parse) throw refused(mime, 'no check exists for this type')
  const handle = await open(path, 'r')
  try {
    return await parse(new Cursor(handle, size))
  } catch (error) {
    if (error instanceof Invalid) throw refused(mime, error.message)
    throw error
  } finally {
    await handle.close()
  }
}

function refused(mime: string, problem: string): LoupeError {
  return new LoupeError(
    ErrorCode.unsupportedMediaType,
    `the file is not a valid ${mime}: ${problem}`,
  )
}

function imageSize(width: number, height: number): MediaFacts {
  if (width < 1 || height < 1) throw invalid(`its dimensions are ${width}×${height}`)
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS)
    throw invalid(
      `${width}×${height} is larger than allowed (at most ${MAX_SIDE} on a side, ${MAX_PIXELS} pixels)`,
    )
  return { width, height }
}

const parsers: Record<string, (c: Cursor) => Promise<MediaFacts>> = {
  'image/png': png,
  'image/jpeg': jpeg,
  'image/gif': gif,
  'image/webp': webp,
  'video/mp4': isoBmff,
  'video/quicktime': isoBmff,
  'video/webm': webm,
}

// --- PNG -------------------------------------------------------------------------------------

const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
}
const PNG_CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND'])

async function png(c: Cursor): Promise<MediaFacts> {
  c.skip(8, 'the signature')
  let facts: MediaFacts | undefined
  let colourType = -1
  let palette = false
  let idat: 'none' | 'open' | 'closed' = 'none'
  for (let index = 0; ; index++) {
    const head = await c.take(8, 'a chunk header')
    const length = head.readUInt32BE(0)
    const type = head.toString('latin1', 4, 8)
    if (!/^[A-Za-z]{4}$/.test(type))
      throw invalid(`bytes that are not a chunk follow at byte ${c.pos - 8}`)
    if (length > 0x7fffffff || length + 4 > c.left)
      throw invalid(`chunk ${type} runs past the end of the file`)
    if (index === 0 && type !== 'IHDR') throw invalid('the first chunk is not IHDR')
    let crc = crc32(head.subarray(4, 8))
    if (type === 'IHDR') {
      if (index !== 0) throw invalid('a second IHDR chunk')
      if (length !== 13) throw invalid(`IHDR is ${length} bytes, not 13`)
      const data = await c.take(13, 'IHDR')
      crc = crc32(data, crc)
      const [depth, colour, compression, filter, interlace] = data.subarray(8)
      if (!PNG_DEPTHS[colour as number]?.includes(depth as number))
        throw invalid(`bit depth ${depth} with colour type ${colour} does not exist`)
      if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1))
        throw invalid('IHDR names an unknown compression, filter or interlace method')
      colourType = colour as number
      facts = imageSize(data.readUInt32BE(0), data.readUInt32BE(4))
    } else {
      crc = await c.crc(length, crc, `chunk ${type}`)
    }
    const stored = (await c.take(4, `the CRC of chunk ${type}`)).readUInt32BE(0)
    if (stored !== crc >>> 0) throw invalid(`chunk ${type} fails its CRC check`)

    const critical = type.charCodeAt(0) < 0x61
    if (critical && !PNG_CRITICAL.has(type)) throw invalid(`unknown critical chunk ${type}`)
    if (type === 'PLTE') {
      if (idat !== 'none') throw invalid('PLTE after the image data')
      palette = true
    }
    if (type === 'IDAT') {
      if (idat === 'closed') throw invalid('IDAT chunks are not consecutive')
      idat = 'open'
    } else if (idat === 'open') idat = 'closed'
    if (type === 'IEND') {
      if (length !== 0) throw invalid('IEND is not empty')
      break
    }
  }
  if (idat === 'none') throw invalid('it has no image data (IDAT)')
  if (colourType === 3 && !palette) throw invalid('an indexed-colour image without a palette')
  if (c.left > 0) throw invalid(`${c.left} bytes follow the IEND chunk`)
  return facts as MediaFacts
}

// --- JPEG ------------------------------------------------------------------------------------

const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc
const isRst = (m: number) => m >= 0xd0 && m <= 0xd7

async function jpeg(c: Cursor): Promise<MediaFacts> {
  c.skip(2, 'SOI')
  let facts: MediaFacts | undefined
  let scans = 0
  for (;;) {
    const at = c.pos
    if ((await c.u8('a marker')) !== 0xff) throw invalid(`no marker where one belongs (byte ${at})`)
    let marker = await c.u8('a marker')
    while (marker === 0xff) marker = await c.u8('a marker')
    if (marker === 0xd9) break
    if (marker === 0x00 || marker === 0xd8 || isRst(marker))
      throw invalid(`marker 0xFF${hex(marker)} out of place (byte ${at})`)
    if (marker === 0x01) continue
    const length = (await c.take(2, 'a segment length')).readUInt16BE(0)
    if (length < 2) throw invalid(`a segment length of ${length} (byte ${at})`)
    if (isSof(marker)) {
      if (facts) throw invalid('more than one frame header (SOF)')
      const sof = await c.take(length - 2, 'the frame header (SOF)')
      const components = sof[5] ?? 0
      if (sof.length < 6 || components < 1 || components > 4 || sof.length !== 6 + 3 * components)
        throw invalid('a malformed frame header (SOF)')
      facts = imageSize(sof.readUInt16BE(3), sof.readUInt16BE(1))
    } else if (marker === 0xda) {
      if (!facts) throw invalid('image data (SOS) before the frame header (SOF)')
      const sos = await c.take(length - 2, 'the scan header (SOS)')
      const components = sos[0] ?? 0
      if (components < 1 || components > 4 || sos.length !== 4 + 2 * components)
        throw invalid('a malformed scan header (SOS)')
      scans++
      await entropyData(c)
    } else {
      c.skip(length - 2, `segment 0xFF${hex(marker)}`)
    }
  }
  if (!facts || scans === 0) throw invalid('it has no frame header (SOF) or no image data (SOS)')
  // Anything after the EOI is allowed: more pictures (MPF, motion photos) and maker data.
  return facts
}

/** Skips entropy-coded data: stops on the 0xFF of the next marker that is not RSTn or 0xFF00. */
async function entropyData(c: Cursor): Promise<void> {
  const missing = 'the image data ends without an end-of-image marker (EOI)'
  for (;;) {
    await c.toNextFF(missing)
    await c.need(2, missing)
    const next = c.view(2)[1] as number
    if (next === 0x00 || isRst(next)) c.pos += 2
    else if (next === 0xff) c.pos += 1
    else return
  }
}

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0')

// --- GIF -------------------------------------------------------------------------------------

async function gif(c: Cursor): Promise<MediaFacts> {
  const header = await c.take(13, 'the header')
  const version = header.toString('latin1', 0, 6)
  if (version !== 'GIF87a' && version !== 'GIF89a') throw invalid(`unknown version ${version}`)
  const facts = imageSize(header.readUInt16LE(6), header.readUInt16LE(8))
  const packed = header[10] as number
  if (packed & 0x80) c.skip(3 * 2 ** ((packed & 7) + 1), 'the global colour table')
  let images = 0
  for (;;) {
    const at = c.pos
    const block = await c.u8('the trailer (0x3B)')
    if (block === 0x3b) break
    if (block === 0x21) {
      await c.u8('an extension label')
      await subBlocks(c)
    } else if (block === 0x2c) {
      const descriptor = await c.take(9, 'an image descriptor')
      const local = descriptor[8] as number
      if (local & 0x80) c.skip(3 * 2 ** ((local & 7) + 1), 'a local colour table')
      const codeSize = await c.u8('the image data')
      if (codeSize < 1 || codeSize > 11) throw invalid(`an LZW code size of ${codeSize}`)
      await subBlocks(c)
      images++
    } else {
      throw invalid(`byte 0x${hex(block)} where a block belongs (byte ${at})`)
    }
  }
  if (images === 0) throw invalid('it has no image')
  if (c.left > 0) throw invalid(`${c.left} bytes follow the trailer`)
  return facts
}

async function subBlocks(c: Cursor): Promise<void> {
  for (;;) {
    const length = await c.u8('a data sub-block')
    if (length === 0) return
    c.skip(length, 'a data sub-block')
  }
}

// --- WebP ------------------------------------------------------------------------------------

async function webp(c: Cursor): Promise<MediaFacts> {
  const riff = await c.take(12, 'the RIFF header')
  const declared = riff.readUInt32LE(4)
  if (declared !== c.size - 8)
    throw invalid(`the RIFF size says ${declared + 8} bytes but the file has ${c.size}`)
  let facts: MediaFacts | undefined
  let extended = false
  let image = false
  for (let index = 0; c.left > 0; index++) {
    const head = await c.take(8, 'a chunk header')
    const type = head.toString('latin1', 0, 4)
    const length = head.readUInt32LE(4)
    if (!/^[A-Za-z0-9 ]{4}$/.test(type))
      throw invalid(`bytes that are not a chunk follow at byte ${c.pos - 8}`)
    const padded = length + (length & 1)
    if (padded > c.left) throw invalid(`chunk ${type} runs past the end of the file`)
    const end = c.pos + padded
    if (index === 0) {
      if (type === 'VP8 ') facts = await vp8(c, length)
      else if (type === 'VP8L') facts = await vp8l(c, length)
      else if (type === 'VP8X') {
        if (length < 10) throw invalid('VP8X is too short')
        const x = await c.take(10, 'VP8X')
        facts = imageSize(x.readUIntLE(4, 3) + 1, x.readUIntLE(7, 3) + 1)
        extended = true
      } else throw invalid(`the first chunk is ${type}, not VP8, VP8L or VP8X`)
    } else if (type === 'VP8 ' || type === 'VP8L' || type === 'ANMF') {
      if (!extended) throw invalid(`a second image chunk (${type}) without VP8X`)
      if (type === 'VP8 ') await vp8(c, length)
      if (type === 'VP8L') await vp8l(c, length)
      image = true
    }
    c.pos = end
  }
  if (extended && !image) throw invalid('VP8X without an image chunk')
  if (!facts) throw invalid('it has no chunk')
  return facts
}

async function vp8(c: Cursor, length: number): Promise<MediaFacts> {
  if (length < 10) throw invalid('VP8 is too short')
  const frame = await c.take(10, 'the VP8 frame header')
  if ((frame[0] as number) & 1) throw invalid('the VP8 frame is not a key frame')
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a)
    throw invalid('the VP8 frame has no start code')
  return imageSize(frame.readUInt16LE(6) & 0x3fff, frame.readUInt16LE(8) & 0x3fff)
}

async function vp8l(c: Cursor, length: number): Promise<MediaFacts> {
  if (length < 5) throw invalid('VP8L is too short')
  const header = await c.take(5, 'the VP8L header')
  if (header[0] !== 0x2f) throw invalid('VP8L has no signature')
  const bits = header.readUInt32LE(1)
  if (bits >>> 29 !== 0) throw invalid(`VP8L version ${bits >>> 29}`)
  return imageSize((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1)
}

// --- MP4 / QuickTime (ISO base media file format) --------------------------------------------

interface Box {
  type: string
  start: number
  /** Where the payload starts. */
  body: number
  end: number
}

async function box(c: Cursor, limit: number): Promise<Box> {
  const start = c.pos
  if (limit - start < 8) throw invalid(`${limit - start} stray bytes at byte ${start}`)
  const head = await c.take(8, 'a box header')
  const size32 = head.readUInt32BE(0)
  const type = head.toString('latin1', 4, 8)
  if (!/^[\x20-\x7e]{4}$/.test(type))
    throw invalid(`bytes that are not a box follow at byte ${start}`)
  let size = size32
  if (size32 === 1) {
    const large = await c.take(8, `the size of box ${type}`)
    size = Number(large.readBigUInt64BE(0))
  } else if (size32 === 0) {
    size = limit - start
  }
  const body = c.pos
  if (size < body - start) throw invalid(`box ${type} at byte ${start} has size ${size}`)
  if (start + size > limit) throw invalid(`box ${type} at byte ${start} runs past its end`)
  return { type, start, body, end: start + size }
}

async function isoBmff(c: Cursor): Promise<MediaFacts> {
  let facts: MediaFacts | undefined
  for (let index = 0; c.pos < c.size; index++) {
    const b = await box(c, c.size)
    if (index === 0) {
      const payload = b.end - b.body
      if (b.type !== 'ftyp') throw invalid('the first box is not ftyp')
      if (payload < 8 || payload % 4 !== 0) throw invalid('a malformed ftyp box')
    } else if (b.type === 'ftyp') throw invalid('a second ftyp box')
    if (b.type === 'moov') {
      if (facts) throw invalid('a second moov box')
      facts = await movie(c, b)
    }
    c.pos = b.end
  }
  if (!facts) throw invalid('it has no movie box (moov)')
  return facts
}

/** The boxes inside `parent`, which must tile it exactly. */
async function* children(c: Cursor, parent: Box): AsyncGenerator<Box> {
  c.pos = parent.body
  while (c.pos < parent.end) {
    const child = await box(c, parent.end)
    yield child
    c.pos = child.end
  }
}

async function movie(c: Cursor, moov: Box): Promise<MediaFacts> {
  const facts: MediaFacts = {}
  let header = false
  for await (const child of children(c, moov)) {
    if (child.type === 'mvhd') {
      header = true
      const v1 = (await c.u8('mvhd')) === 1
      c.skip(3 + (v1 ? 16 : 8), 'mvhd')
      const data = await c.take(v1 ? 12 : 8, 'mvhd')
      if (c.pos > child.end) throw invalid('mvhd is too short')
      const timescale = data.readUInt32BE(0)
      const duration = v1 ? Number(data.readBigUInt64BE(4)) : data.readUInt32BE(4)
      const unknown = v1 ? duration >= 2 ** 64 - 1 : duration === 0xffffffff
      if (timescale > 0 && !unknown) facts.durationMs = Math.round((duration / timescale) * 1000)
    } else if (child.type === 'trak' && (facts.width === undefined || facts.fps === undefined)) {
      const found = await track(c, child)
      if (facts.width === undefined && found.width && found.height)
        Object.assign(facts, { width: found.width, height: found.height })
      if (facts.fps === undefined && found.fps) facts.fps = found.fps
    }
  }
  if (!header) throw invalid('the movie box has no header (mvhd)')
  return facts
}

/**
 * One track: its display size (`tkhd`) and, for a video track (`hdlr` says `vide`), its frame
 * rate — the media timescale (`mdhd`) over the most common sample duration (`stts`), so
 * 30000/1001 stays exact and a variable-rate file gets its usual rate.
 */
async function track(
  c: Cursor,
  trak: Box,
): Promise<{ width?: number; height?: number; fps?: number }> {
  const found: { width?: number; height?: number; fps?: number } = {}
  let video = false
  let timescale = 0
  let delta = 0
  for await (const part of children(c, trak)) {
    if (part.type === 'tkhd') {
      const v1 = (await c.u8('tkhd')) === 1
      c.skip(3 + (v1 ? 32 : 20) + 52, 'tkhd')
      const size = await c.take(8, 'tkhd')
      if (c.pos > part.end) throw invalid('tkhd is too short')
      const width = Math.round(size.readUInt32BE(0) / 65536)
      const height = Math.round(size.readUInt32BE(4) / 65536)
      if (width > 0 && height > 0) Object.assign(found, { width, height })
    } else if (part.type === 'mdia') {
      for await (const m of children(c, part)) {
        if (m.type === 'hdlr') {
          const hdlr = await c.take(12, 'hdlr')
          if (c.pos > m.end) throw invalid('hdlr is too short')
          video = hdlr.toString('latin1', 8, 12) === 'vide'
        } else if (m.type === 'mdhd') {
          const v1 = (await c.u8('mdhd')) === 1
          c.skip(3 + (v1 ? 16 : 8), 'mdhd')
          timescale = (await c.take(4, 'mdhd')).readUInt32BE(0)
          if (c.pos > m.end) throw invalid('mdhd is too short')
        } else if (m.type === 'minf') {
          for await (const i of children(c, m)) {
            if (i.type !== 'stbl') continue
            for await (const t of children(c, i)) if (t.type === 'stts') delta = await stts(c, t)
          }
        }
      }
    }
  }
  if (video && timescale > 0 && delta > 0) found.fps = snapFps(timescale / delta)
  return found
}

/** Entries read from a time-to-sample table: enough to know its usual sample duration. */
const STTS_ENTRIES = 4096

/** The sample duration most samples have, from a time-to-sample box (`stts`); 0 if none. */
async function stts(c: Cursor, t: Box): Promise<number> {
  const head = await c.take(8, 'stts')
  const count = head.readUInt32BE(4)
  if (count * 8 > t.end - c.pos) throw invalid('stts lists more entries than it holds')
  const samples = new Map<number, number>()
  for (let i = 0; i < Math.min(count, STTS_ENTRIES); i++) {
    const entry = await c.take(8, 'an stts entry')
    const delta = entry.readUInt32BE(4)
    if (delta > 0) samples.set(delta, (samples.get(delta) ?? 0) + entry.readUInt32BE(0))
  }
  return mostCommon(samples)
}

/** The key with the largest count (the smaller key on a tie); 0 for an empty map. */
function mostCommon(counts: Map<number, number>): number {
  let best = 0
  let most = 0
  for (const [key, n] of counts) if (n > most || (n === most && key < best)) [best, most] = [key, n]
  return best
}

// --- WebM (EBML) -----------------------------------------------------------------------------

const EBML = 0x1a45dfa3
const SEGMENT = 0x18538067
const INFO = 0x1549a966
const TRACKS = 0x1654ae6b

interface Element {
  id: number
  start: number
  body: number
  /** undefined: unknown size (to the end of the parent). */
  end: number | undefined
}

async function vint(c: Cursor, what: string, keepMarker: boolean): Promise<number | undefined> {
  const first = await c.u8(what)
  if (first === 0) throw invalid(`${what} is not a valid EBML number (byte ${c.pos - 1})`)
  const length = Math.clz32(first) - 23
  let value = keepMarker ? first : first & (0xff >> length)
  let allOnes = value === 0xff >> length
  for (let i = 1; i < length; i++) {
    const byte = await c.u8(what)
    value = value * 256 + byte
    allOnes &&= byte === 0xff
  }
  return !keepMarker && allOnes ? undefined : value
}

async function element(c: Cursor, limit: number): Promise<Element> {
  const start = c.pos
  const id = (await vint(c, 'an element id', true)) as number
  if (id < 0x80 || c.pos - start > 4) throw invalid(`an element id at byte ${start} is malformed`)
  const size = await vint(c, 'an element size', false)
  const body = c.pos
  if (size !== undefined && body + size > limit)
    throw invalid(`element 0x${id.toString(16)} at byte ${start} runs past its end`)
  return { id, start, body, end: size === undefined ? undefined : body + size }
}

async function* elements(c: Cursor, body: number, end: number): AsyncGenerator<Element> {
  c.pos = body
  while (c.pos < end) {
    const child = await element(c, end)
    yield child
    if (child.end === undefined) return
    c.pos = child.end
  }
}

async function uint(c: Cursor, e: Element): Promise<number> {
  const length = (e.end as number) - e.body
  if (length > 8) throw invalid(`a number of ${length} bytes (at byte ${e.start})`)
  const bytes = await c.take(length, 'a number')
  return bytes.reduce((value, byte) => value * 256 + byte, 0)
}

async function webm(c: Cursor): Promise<MediaFacts> {
  const header = await element(c, c.size)
  if (header.id !== EBML || header.end === undefined) throw invalid('a malformed EBML header')
  let docType: string | undefined
  for await (const e of elements(c, header.body, header.end)) {
    if (e.end === undefined) throw invalid('an element of unknown size in the EBML header')
    if (e.id === 0x4282) docType = (await c.take(e.end - e.body, 'DocType')).toString('latin1')
  }
  docType = docType?.replace(/\0+$/, '')
  if (docType !== 'webm') throw invalid(`its DocType is ${docType ?? 'missing'}, not webm`)
  c.pos = header.end
  const segment = await element(c, c.size)
  if (segment.id !== SEGMENT) throw invalid('no Segment follows the EBML header')
  if (segment.end !== undefined && segment.end !== c.size)
    throw invalid(`${c.size - segment.end} bytes follow the Segment`)
  const facts: MediaFacts = {}
  const picture: PictureTrack = { number: null, frameNs: null }
  let scale = 1_000_000
  let info = false
  let tracks = false
  let firstCluster: number | null = null
  for await (const e of elements(c, segment.body, segment.end ?? c.size)) {
    if (e.id === CLUSTER) firstCluster ??= e.start
    if (e.end === undefined) break
    if (e.id === INFO) {
      info = true
      scale = await webmInfo(c, e, facts)
    } else if (e.id === TRACKS) {
      tracks = true
      await webmTracks(c, e, facts, picture)
    }
    c.pos = e.end
  }
  if (!info || !tracks) throw invalid('the Segment has no Info or no Tracks')
  if (picture.frameNs) facts.fps = snapFps(1e9 / picture.frameNs)
  else if (picture.number !== null && firstCluster !== null) {
    // No DefaultDuration (live recorders such as MediaRecorder write none): the usual gap
    // between the first frames' timestamps. A guess from a file that parsed; never a refusal.
    const gap = await frameGap(c, firstCluster, segment.end ?? c.size, picture.number).catch(
      () => 0,
    )
    if (gap > 0) facts.fps = snapFps(1e9 / (gap * scale))
  }
  return facts
}

/** The video track of a WebM: its number, and its DefaultDuration (ns per frame) if stated. */
interface PictureTrack {
  number: number | null
  frameNs: number | null
}

const CLUSTER = 0x1f43b675
const CLUSTER_TIMECODE = 0xe7
const SIMPLE_BLOCK = 0xa3
const BLOCK_GROUP = 0xa0
const BLOCK = 0xa1
/** Frames looked at to find a WebM's usual frame gap. */
const SAMPLED_FRAMES = 120

/**
 * The usual gap (in TimecodeScale units) between consecutive timestamps of `track`'s first
 * frames, reading Clusters (sized or, as recorders write them, of unknown size) and the
 * blocks in them from `start`; 0 when there are fewer than two frames.
 */
async function frameGap(c: Cursor, start: number, limit: number, track: number): Promise<number> {
  const times: number[] = []
  let clusterTime = 0
  c.pos = start
  while (c.pos < limit && times.length < SAMPLED_FRAMES) {
    const e = await element(c, limit)
    // A Cluster or BlockGroup is entered (their children follow); anything else is read or skipped.
    if (e.id === CLUSTER || e.id === BLOCK_GROUP) continue
    if (e.end === undefined) break
    if (e.id === CLUSTER_TIMECODE) clusterTime = await uint(c, e)
    else if (e.id === SIMPLE_BLOCK || e.id === BLOCK) {
      const number = await vint(c, 'a block track number', false)
      const relative = (await c.take(2, 'a block timecode')).readInt16BE(0)
      if (number === track) times.push(clusterTime + relative)
    }
    c.pos = e.end
  }
  const sorted = [...new Set(times)].sort((a, b) => a - b)
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number))
  if (gaps.length === 0) return 0
  // The mean of the usual gaps: whole-millisecond timestamps alternate (33, 34, 33 at 30 fps;
  // 17, 17, 16 at 60), a dropped frame leaves one gap twice as long, which is left out.
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number
  const usual = gaps.filter((gap) => gap <= median * 1.5)
  return usual.reduce((sum, gap) => sum + gap, 0) / usual.length
}

/** Reads Info (the duration into `facts`); answers the TimecodeScale (ns per tick). */
async function webmInfo(c: Cursor, info: Element, facts: MediaFacts): Promise<number> {
  let scale = 1_000_000
  let duration: number | undefined
  for await (const e of elements(c, info.body, info.end as number)) {
    if (e.end === undefined) throw invalid('an element of unknown size in Info')
    if (e.id === 0x2ad7b1) scale = await uint(c, e)
    if (e.id === 0x4489) {
      const bytes = await c.take(e.end - e.body, 'Duration')
      if (bytes.length === 4) duration = bytes.readFloatBE(0)
      else if (bytes.length === 8) duration = bytes.readDoubleBE(0)
      else throw invalid('a Duration that is not a 4- or 8-byte float')
    }
    c.pos = e.end
  }
  if (duration !== undefined && Number.isFinite(duration) && duration >= 0)
    facts.durationMs = Math.round((duration * scale) / 1_000_000)
  return scale
}

async function webmTracks(
  c: Cursor,
  tracks: Element,
  facts: MediaFacts,
  picture: PictureTrack,
): Promise<void> {
  for await (const entry of elements(c, tracks.body, tracks.end as number)) {
    if (entry.end === undefined) throw invalid('an element of unknown size in Tracks')
    const entryEnd = entry.end
    if (entry.id === 0xae) {
      let number: number | null = null
      let type: number | null = null
      let frameNs: number | null = null
      for await (const part of elements(c, entry.body, entryEnd)) {
        if (part.end === undefined) throw invalid('an element of unknown size in a track')
        const partEnd = part.end
        if (part.id === 0xd7) number = await uint(c, part)
        if (part.id === 0x83) type = await uint(c, part)
        if (part.id === 0x23e383) frameNs = await uint(c, part)
        if (part.id === 0xe0 && facts.width === undefined) {
          let width = 0
          let height = 0
          for await (const v of elements(c, part.body, partEnd)) {
            if (v.end === undefined) throw invalid('an element of unknown size in a track')
            if (v.id === 0xb0) width = await uint(c, v)
            if (v.id === 0xba) height = await uint(c, v)
            c.pos = v.end
          }
          if (width > 0 && height > 0) Object.assign(facts, { width, height })
        }
        c.pos = partEnd
      }
      if (type === 1 && picture.number === null) Object.assign(picture, { number, frameNs })
    }
    c.pos = entryEnd
  }
}
