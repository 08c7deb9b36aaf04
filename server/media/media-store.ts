/**
 * Uploaded media, content-addressed: the file is named by the SHA-256 of its bytes, so the same
 * upload is stored once. Files live in the media folder (shared by every node in cluster mode);
 * their metadata in the stores (storage/media-repo.ts). Bodies stream to disk while being hashed and counted (nothing large
 * is held in memory); the type is told by the file's own first bytes, not only the declared
 * Content-Type, and then the whole structure is checked from the stored temporary file
 * (media-check.ts) before the file takes its place.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { badRequest, LoupeError, tooLarge } from '../errors.ts'
import type { MediaInfo, MediaKind, MediaRepo } from '../storage/media-repo.ts'
import { checkMedia, type MediaFacts } from './media-check.ts'

export type { MediaInfo, MediaKind }

export const mediaTypes: Readonly<Record<string, MediaKind>> = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'video/mp4': 'video',
  'video/quicktime': 'video',
  'video/webm': 'video',
}

const startsWith = (head: Uint8Array, bytes: number[], at = 0) =>
  bytes.every((b, i) => head[at + i] === b)

/** The type a file's first bytes say it is, or null if it is none we accept. */
export function sniff(head: Uint8Array): string | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'image/gif'
  if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp'
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm'
  if (startsWith(head, [0x66, 0x74, 0x79, 0x70], 4)) {
    const brand = String.fromCharCode(...head.subarray(8, 12))
    return brand === 'qt  ' ? 'video/quicktime' : 'video/mp4'
  }
  return null
}

export class MediaStore {
  constructor(
    private readonly rows: MediaRepo,
    readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true })
  }

  path(hash: string): string {
    return join(this.dir, hash)
  }

  get(hash: string): Promise<MediaInfo | undefined> {
    return this.rows.get(hash)
  }

  workspacesOf(hash: string): Promise<string[]> {
    return this.rows.workspacesOf(hash)
  }

  /**
   * Streams an upload to disk, checking size, type and structure; returns what was stored and
   * what the check learnt (dimensions, duration).
   */
  async save(
    body: ReadableStream<Uint8Array>,
    declared: string,
    maxBytes: number,
    owner: { userId: string; workspaceId: string },
  ): Promise<MediaInfo & MediaFacts> {
    const declaredKind = mediaTypes[declared]
    if (!declaredKind) {
      throw new LoupeError(
        ErrorCode.unsupportedMediaType,
        `accepted types: ${Object.keys(mediaTypes).join(', ')}`,
      )
    }
    const temp = join(this.dir, `.upload-${randomBytes(8).toString('hex')}`)
    const file = createWriteStream(temp)
    const hash = createHash('sha256')
    const head: number[] = []
    let bytes = 0
    try {
      // Read without cancelling on a refusal: cancelling destroys the socket before the 413.
      const reader = body.getReader()
      for (;;) {
        const { done, value: chunk } = await reader.read()
        if (done) break
        bytes += chunk.byteLength
        if (bytes > maxBytes) throw tooLarge(`uploads may be at most ${maxBytes} bytes`)
        if (head.length < 16) head.push(...chunk.subarray(0, 16 - head.length))
        hash.update(chunk)
        if (!file.write(chunk))
          await new Promise<void>((resolve) => file.once('drain', () => resolve()))
      }
      await new Promise<void>((resolve, reject) =>
        file.end((error?: Error | null) => (error ? reject(error) : resolve())),
      )
      if (bytes === 0) throw badRequest('the upload is empty')
      const actual = sniff(Uint8Array.from(head))
      if (!actual || mediaTypes[actual] !== declaredKind) {
        throw new LoupeError(
          ErrorCode.unsupportedMediaType,
          `the file is not a ${declared} (its bytes say ${actual ?? 'unknown'})`,
        )
      }
      const facts = await checkMedia(temp, actual, bytes)
      const digest = hash.digest('hex')
      if (existsSync(this.path(digest))) rmSync(temp)
      else renameSync(temp, this.path(digest))
      const info = { hash: digest, mime: actual, kind: declaredKind, bytes }
      await this.rows.record(info, owner)
      return { ...info, ...facts }
    } catch (error) {
      file.destroy()
      rmSync(temp, { force: true })
      throw error
    }
  }
}
