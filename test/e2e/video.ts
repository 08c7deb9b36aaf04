/**
 * A real, playable video for browser tests, made without downloading anything: the browser
 * draws each frame on a canvas (its number, large, on its own colour) and encodes it with
 * WebCodecs (VP8, every frame a key frame), and the frames are put into a WebM here, by hand:
 * one Cluster per frame, a DefaultDuration saying the frame rate, a Duration, and Cues so the
 * browser seeks at once.
 */
import type { Page } from 'playwright-core'
import { concat, ebml, ebmlHeader } from '../media-samples.ts'

interface Encoded {
  timestampUs: number
  data: string
}

const uint = (n: number) => {
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Uint8Array.from(bytes.length ? bytes : [0])
}
const float64 = (n: number) => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setFloat64(0, n)
  return out
}
const ascii = (s: string) => new TextEncoder().encode(s)

/** A WebM of `frames` frames at `fps`, `width`×`height`; frame n shows the number n. */
export async function webmVideo(
  page: Page,
  { frames = 50, fps = 25, width = 320, height = 180 } = {},
): Promise<Buffer> {
  const encoded = await page.evaluate(
    async ({ frames, fps, width, height }) => {
      const chunks: Array<{ timestampUs: number; data: string }> = []
      const encoder = new VideoEncoder({
        output: (chunk) => {
          const bytes = new Uint8Array(chunk.byteLength)
          chunk.copyTo(bytes)
          let binary = ''
          for (const b of bytes) binary += String.fromCharCode(b)
          chunks.push({ timestampUs: chunk.timestamp, data: btoa(binary) })
        },
        error: (e) => {
          throw e
        },
      })
      encoder.configure({ codec: 'vp8', width, height, bitrate: 400_000, framerate: fps })
      const canvas = new OffscreenCanvas(width, height)
      const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D
      for (let n = 0; n < frames; n++) {
        g.fillStyle = `hsl(${(n * 37) % 360} 60% 45%)`
        g.fillRect(0, 0, width, height)
        g.fillStyle = '#fff'
        g.font = `bold ${Math.round(height / 2)}px sans-serif`
        g.textAlign = 'center'
        g.textBaseline = 'middle'
        g.fillText(String(n), width / 2, height / 2)
        const frame = new VideoFrame(canvas, {
          timestamp: Math.round((n * 1e6) / fps),
          duration: Math.round(1e6 / fps),
        })
        encoder.encode(frame, { keyFrame: true })
        frame.close()
      }
      await encoder.flush()
      encoder.close()
      return chunks
    },
    { frames, fps, width, height },
  )
  return Buffer.from(mux(encoded, { fps, width, height }))
}

function mux(chunks: Encoded[], video: { fps: number; width: number; height: number }) {
  const frameMs = 1000 / video.fps
  const info = ebml(
    0x1549a966,
    ebml(0x2ad7b1, uint(1_000_000)), // TimecodeScale: 1 ms
    ebml(0x4489, float64(chunks.length * frameMs)), // Duration (ms)
    ebml(0x4d80, ascii('loupe-test')), // MuxingApp
    ebml(0x5741, ascii('loupe-test')), // WritingApp
  )
  const tracks = ebml(
    0x1654ae6b,
    ebml(
      0xae,
      ebml(0xd7, uint(1)), // TrackNumber
      ebml(0x73c5, uint(1)), // TrackUID
      ebml(0x83, uint(1)), // TrackType: video
      ebml(0x86, ascii('V_VP8')),
      ebml(0x23e383, uint(Math.round(1e9 / video.fps))), // DefaultDuration (ns)
      ebml(0xe0, ebml(0xb0, uint(video.width)), ebml(0xba, uint(video.height))),
    ),
  )
  const clusters: Uint8Array[] = []
  const cues: Uint8Array[] = []
  let position = info.byteLength + tracks.byteLength
  for (const chunk of chunks) {
    const ms = Math.round(chunk.timestampUs / 1000)
    const block = concat(Uint8Array.from([0x81, 0, 0, 0x80]), Buffer.from(chunk.data, 'base64'))
    const cluster = ebml(0x1f43b675, ebml(0xe7, uint(ms)), ebml(0xa3, block))
    cues.push(
      ebml(0xbb, ebml(0xb3, uint(ms)), ebml(0xb7, ebml(0xf7, uint(1)), ebml(0xf1, uint(position)))),
    )
    clusters.push(cluster)
    position += cluster.byteLength
  }
  return concat(
    ebmlHeader(),
    ebml(0x18538067, info, tracks, ...clusters, ebml(0x1c53bb6b, ...cues)),
  )
}
