/**
 * Images for a report, embedded as data: URLs so the downloaded file opens offline. A file is
 * embedded only if it was uploaded into the board's workspace (a board can name any hash; the
 * report must not become a way to read another workspace's files), and within size caps; an
 * image left out is shown as a note saying why.
 */
import { readFile } from 'node:fs/promises'
import { checkMedia } from '../media/media-check.ts'
import type { MediaStore } from '../media/media-store.ts'
import type { ReportMedia } from './report-data.ts'

export type Picture =
  | { src: string; width: number; height: number }
  | { omitted: string; width: number; height: number }

export interface EmbedLimits {
  perImageBytes: number
  totalBytes: number
}

const MiB = 1024 * 1024
export const defaultEmbedLimits: EmbedLimits = { perImageBytes: 8 * MiB, totalBytes: 40 * MiB }

/** What a frame without known dimensions is drawn as. */
const FALLBACK = { width: 1600, height: 900 }

export async function pictures(
  media: readonly ReportMedia[],
  store: MediaStore,
  workspaceId: string,
  limits: EmbedLimits = defaultEmbedLimits,
): Promise<Map<string, Picture>> {
  const found = new Map<string, Picture>()
  let total = 0
  for (const item of media) {
    const known =
      item.width && item.height && item.width > 0 && item.height > 0
        ? { width: item.width, height: item.height }
        : null
    const omit = (why: string) => found.set(item.id, { omitted: why, ...(known ?? FALLBACK) })
    if (item.kind === 'video') {
      omit('video: no frame is embedded; the annotations are drawn on a blank frame')
      continue
    }
    const info = /^[0-9a-f]{64}$/.test(item.hash) ? await store.get(item.hash) : undefined
    const shared = info ? await store.workspacesOf(item.hash) : []
    if (!info || info.kind !== 'image' || !shared.includes(workspaceId)) {
      omit('the image is not available on this server')
      continue
    }
    if (info.bytes > limits.perImageBytes) {
      omit(`the image is larger than ${Math.round(limits.perImageBytes / MiB)} MiB`)
      continue
    }
    if (total + info.bytes > limits.totalBytes) {
      omit(`the report holds at most ${Math.round(limits.totalBytes / MiB)} MiB of images`)
      continue
    }
    const path = store.path(item.hash)
    let bytes: Buffer
    try {
      bytes = await readFile(path)
    } catch {
      omit('the image file is missing on the server')
      continue
    }
    total += bytes.byteLength
    const size = known ?? (await checkMedia(path, info.mime, bytes.byteLength).catch(() => null))
    found.set(item.id, {
      src: `data:${info.mime};base64,${bytes.toString('base64')}`,
      width: size?.width || FALLBACK.width,
      height: size?.height || FALLBACK.height,
    })
  }
  return found
}
