/**
 * Small but genuine media files, built byte by byte to each format's specification, for upload
 * tests (the server parses every upload's structure: server/media/media-check.ts). The images
 * were checked to decode in Chromium (PNG, JPEG, GIF, WebP lossless); the videos are
 * structurally complete (boxes, EBML elements) without frames to play.
 */
import { crc32, deflateSync } from 'node:zlib'

const ascii = (s: string) => new TextEncoder().encode(s)

type Bytes = Uint8Array<ArrayBuffer>

export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

const u16be = (n: number) => Uint8Array.from([n >> 8, n & 0xff])
const u32be = (n: number) => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}
const u32le = (n: number) => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n, true)
  return out
}

// --- PNG -------------------------------------------------------------------------------------

export function pngChunk(type: string, data: Uint8Array): Bytes {
  const typed = concat(ascii(type), data)
  return concat(u32be(data.byteLength), typed, u32be(crc32(typed)))
}

export const PNG_SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * An RGB PNG of `width`×`height` whose pixels follow a pattern (`seed` changes it, so two calls
 * give different files); `extra` chunks go before the image data.
 */
export function png(width = 4, height = 3, seed = 0, extra: Uint8Array[] = []): Bytes {
  const ihdr = concat(u32be(width), u32be(height), Uint8Array.from([8, 2, 0, 0, 0]))
  const rows = new Uint8Array(height * (1 + width * 3))
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width * 3; x++)
      rows[y * (1 + width * 3) + 1 + x] = (x * 37 + y * 11 + seed * 101) % 256
  return concat(
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    ...extra,
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', new Uint8Array(0)),
  )
}

/** A PNG of at least `bytes` bytes (its pixels are noise, so they do not compress). */
export function largePng(bytes: number): Bytes {
  const width = 1024
  const height = Math.ceil(bytes / (width * 3)) + 1
  const rows = new Uint8Array(height * (1 + width * 3))
  let x = 0x9e3779b9
  for (let i = 0; i < rows.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    rows[i] = i % (1 + width * 3) === 0 ? 0 : x & 0xff
  }
  const ihdr = concat(u32be(width), u32be(height), Uint8Array.from([8, 2, 0, 0, 0]))
  return concat(
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(rows, { level: 0 })),
    pngChunk('IEND', new Uint8Array(0)),
  )
}

// --- JPEG ------------------------------------------------------------------------------------

const segment = (marker: number, data: Uint8Array) =>
  concat(Uint8Array.from([0xff, marker]), u16be(data.byteLength + 2), data)

/**
 * A baseline grayscale JPEG of `width`×`height` (multiples of 8): JFIF header, a flat
 * quantisation table, one-code Huffman tables (DC category 0, AC end-of-block), and every
 * 8×8 block coded as "no change, end of block" — a uniform grey image.
 */
export function jpeg(width = 16, height = 8): Bytes {
  const blocks = (width / 8) * (height / 8)
  // Two bits ("0" DC, "0" EOB) per block, padded with ones to a whole byte.
  const bits = 2 * blocks
  const entropy = new Uint8Array(Math.ceil(bits / 8))
  if (bits % 8) entropy[entropy.length - 1] = 0xff >> (bits % 8)
  const oneCode = (tableClass: number) =>
    segment(0xc4, Uint8Array.from([tableClass << 4, 1, ...new Array(15).fill(0), 0]))
  return concat(
    Uint8Array.from([0xff, 0xd8]),
    segment(0xe0, concat(ascii('JFIF\0'), Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 0, 0]))),
    segment(0xdb, Uint8Array.from([0, ...new Array(64).fill(1)])),
    segment(
      0xc0,
      concat(Uint8Array.from([8]), u16be(height), u16be(width), Uint8Array.from([1, 1, 0x11, 0])),
    ),
    oneCode(0),
    oneCode(1),
    segment(0xda, Uint8Array.from([1, 1, 0x00, 0, 63, 0])),
    entropy,
    Uint8Array.from([0xff, 0xd9]),
  )
}

/**
 * A 2×2 colour JPEG as Chromium's encoder wrote it (canvas.toDataURL('image/jpeg', 0.5)): JFIF,
 * an ICC profile (APP2), two quantisation and four Huffman tables, 4:2:0 sampling.
 */
export const chromiumJpeg = () => Uint8Array.from(Buffer.from(CHROMIUM_JPEG, 'base64'))

const CHROMIUM_JPEG =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAACAAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAXEAEBAQEAAAAAAAAAAAAAAAABABEh/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAXEQEAAwAAAAAAAAAAAAAAAAAAAQIy/9oADAMBAAIRAxEAPwCBVdeskhKKmYf/2Q=='

// --- GIF -------------------------------------------------------------------------------------

/** A 1×1 GIF89a (two-colour table, one image: clear, index 0, end of information). */
export function gif(): Bytes {
  return concat(
    ascii('GIF89a'),
    Uint8Array.from([1, 0, 1, 0, 0x80, 0, 0]),
    Uint8Array.from([0xff, 0xff, 0xff, 0, 0, 0]),
    Uint8Array.from([0x21, 0xf9, 4, 0, 0, 0, 0, 0]),
    Uint8Array.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0]),
    Uint8Array.from([2, 2, 0x44, 0x01, 0]),
    Uint8Array.from([0x3b]),
  )
}

// --- WebP ------------------------------------------------------------------------------------

export function riffChunk(type: string, data: Uint8Array): Bytes {
  const pad = data.byteLength % 2 ? new Uint8Array(1) : new Uint8Array(0)
  return concat(ascii(type), u32le(data.byteLength), data, pad)
}

export function riffWebp(...chunks: Uint8Array[]): Bytes {
  const body = concat(ascii('WEBP'), ...chunks)
  return concat(ascii('RIFF'), u32le(body.byteLength), body)
}

/**
 * A lossless (VP8L) bitstream of one opaque black pixel: no transforms, no colour cache, and
 * five one-symbol prefix codes (green 0, red 0, blue 0, alpha 255, distance 0), so the pixel
 * takes no bits at all.
 */
export function vp8lPixel(): Bytes {
  const bits: number[] = []
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++) bits.push((value >> i) & 1)
  }
  put(0x2f, 8) // signature
  put(0, 14) // width - 1
  put(0, 14) // height - 1
  put(0, 1) // alpha is not used
  put(0, 3) // version
  put(0, 1) // no transform
  put(0, 1) // no colour cache
  put(0, 1) // no meta prefix codes
  for (const symbol of [0, 0, 0, 255, 0]) {
    put(1, 1) // simple code
    put(0, 1) // one symbol
    if (symbol < 2) {
      put(0, 1)
      put(symbol, 1)
    } else {
      put(1, 1)
      put(symbol, 8)
    }
  }
  const out = new Uint8Array(Math.ceil(bits.length / 8))
  bits.forEach((bit, i) => (out[i >> 3] = (out[i >> 3] as number) | (bit << (i & 7))))
  return out
}

export const webpLossless = () => riffWebp(riffChunk('VP8L', vp8lPixel()))

/** The extended format: a VP8X header (canvas 1×1, no features) and the same VP8L image. */
export const webpExtended = () =>
  riffWebp(
    riffChunk('VP8X', Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
    riffChunk('VP8L', vp8lPixel()),
  )

/** A 2×2 lossy VP8 key frame as Chromium's encoder wrote it (canvas.toDataURL('image/webp')). */
const VP8_FRAME = Buffer.from(
  '0AEAnQEqAgACAAFAJiWgAnS6AfgAA7AA/u8BGd7efiwmb/wq+NyFrf/yz5/DZ0YAAAA=',
  'base64',
)

export const webpLossy = () => riffWebp(riffChunk('VP8 ', VP8_FRAME))

/** The same frame in the extended format with an (empty) EXIF chunk after it. */
export const webpLossyExtended = () =>
  riffWebp(
    riffChunk('VP8X', Uint8Array.from([0x08, 0, 0, 0, 1, 0, 0, 1, 0, 0])),
    riffChunk('VP8 ', VP8_FRAME),
    riffChunk('EXIF', new Uint8Array(0)),
  )

// --- MP4 / QuickTime -------------------------------------------------------------------------

export function box(type: string, ...payload: Uint8Array[]): Bytes {
  const body = concat(...payload)
  return concat(u32be(8 + body.byteLength), ascii(type), body)
}

const zeros = (n: number) => new Uint8Array(n)

/**
 * A movie of `durationMs` with one 320×240 video track: `ftyp` (brand `isom`, or `qt  ` for
 * QuickTime), `moov` (`mvhd` at timescale 1000, `trak` with its `tkhd`), and an `mdat`.
 */
export function mp4(brand = 'isom', durationMs = 2000, mdat = 64): Bytes {
  const matrix = concat(u32be(0x10000), zeros(12), u32be(0x10000), zeros(12), u32be(0x40000000))
  const mvhd = box(
    'mvhd',
    zeros(4), // version 0, flags
    zeros(8), // creation, modification
    u32be(1000),
    u32be(durationMs),
    u32be(0x10000), // rate
    u16be(0x100), // volume
    zeros(10),
    matrix,
    zeros(24),
    u32be(2), // next track id
  )
  const tkhd = box(
    'tkhd',
    Uint8Array.from([0, 0, 0, 3]),
    zeros(8),
    u32be(1), // track id
    zeros(4),
    u32be(durationMs),
    zeros(8),
    zeros(4), // layer, alternate group
    zeros(4), // volume, reserved
    matrix,
    u32be(320 << 16),
    u32be(240 << 16),
  )
  return concat(
    box('ftyp', ascii(brand), u32be(0x200), ascii(brand), ascii('mp41')),
    box('moov', mvhd, box('trak', tkhd)),
    box(
      'mdat',
      Uint8Array.from({ length: mdat }, (_, i) => (i * 7) % 256),
    ),
  )
}

// --- WebM (EBML) -----------------------------------------------------------------------------

/** An EBML element: `id` as written (with its length marker), a 1-8 byte size, the payload. */
export function ebml(id: number, ...payload: Uint8Array[]): Bytes {
  const body = concat(...payload)
  const idBytes: number[] = []
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v & 0xff)
  return concat(Uint8Array.from(idBytes), ebmlSize(body.byteLength), body)
}

function ebmlSize(n: number): Bytes {
  if (n < 0x7f) return Uint8Array.from([0x80 | n])
  if (n < 0x3fff) return Uint8Array.from([0x40 | (n >> 8), n & 0xff])
  return Uint8Array.from([0x10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])
}

const uintBytes = (n: number) => Uint8Array.from(n < 256 ? [n] : [n >> 8, n & 0xff])

export function ebmlHeader(docType = 'webm'): Bytes {
  return ebml(
    0x1a45dfa3,
    ebml(0x4286, uintBytes(1)),
    ebml(0x42f7, uintBytes(1)),
    ebml(0x42f2, uintBytes(4)),
    ebml(0x42f3, uintBytes(8)),
    ebml(0x4282, ascii(docType)),
    ebml(0x4287, uintBytes(4)),
    ebml(0x4285, uintBytes(2)),
  )
}

const webmInfo = () => {
  const duration = new Uint8Array(8)
  new DataView(duration.buffer).setFloat64(0, 2000)
  return ebml(
    0x1549a966,
    ebml(0x2ad7b1, Uint8Array.from([0x0f, 0x42, 0x40])), // TimecodeScale 1 ms
    ebml(0x4489, duration),
  )
}

const webmTracks = () =>
  ebml(
    0x1654ae6b,
    ebml(
      0xae,
      ebml(0xd7, uintBytes(1)), // TrackNumber
      ebml(0x83, uintBytes(1)), // TrackType video
      ebml(0x86, ascii('V_VP8')),
      ebml(0xe0, ebml(0xb0, uintBytes(320)), ebml(0xba, uintBytes(240))),
    ),
  )

/** A WebM with a sized Segment: Info (2 s), Tracks (one 320×240 VP8 track), an empty Cluster. */
export function webm(docType = 'webm'): Bytes {
  return concat(
    ebmlHeader(docType),
    ebml(0x18538067, webmInfo(), webmTracks(), ebml(0x1f43b675, ebml(0xe7, uintBytes(0)))),
  )
}

/** As a live recorder (MediaRecorder) writes it: Segment and Cluster of unknown size. */
export function webmLive(): Bytes {
  const unknown = Uint8Array.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
  return concat(
    ebmlHeader(),
    Uint8Array.from([0x18, 0x53, 0x80, 0x67]),
    unknown,
    webmInfo(),
    webmTracks(),
    Uint8Array.from([0x1f, 0x43, 0xb6, 0x75]),
    unknown,
    ebml(0xe7, uintBytes(0)),
  )
}
