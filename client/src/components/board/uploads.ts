/**
 * Uploads in progress: each file goes to POST /api/media with progress, then becomes a media
 * item in the board, or the next version of one (addMediaVersion). The server answers what it
 * read from the file — dimensions, duration, a video's frame rate — and the version keeps it.
 * Refusals come back as toasts in words (too large, wrong type, offline).
 */
import { createSignal } from 'solid-js'
import { newId } from '../../../../shared/ids.ts'
import { addMedia, addMediaVersion } from '../../../../shared/schema/board.ts'
import { api, ApiError, mediaUrl } from '../../lib/api.ts'
import type { BoardStore } from '../../lib/board-store.ts'
import { showToast } from '../ui/toast.tsx'

interface Upload {
  id: string
  name: string
  progress: number
  /** The item this is a new version of. */
  versionOf?: string
}

function imageSize(url: string): Promise<{ width?: number; height?: number }> {
  return new Promise((resolve) => {
    const img = new Image()
    img.onload = () => resolve({ width: img.naturalWidth, height: img.naturalHeight })
    img.onerror = () => resolve({})
    img.src = url
  })
}

function refusal(error: unknown): [string, string] {
  if (!(error instanceof ApiError)) return ['Upload failed', String(error)]
  if (error.status === 413) return ['That file is too large', error.message]
  if (error.status === 415)
    return [
      'That file type is not supported',
      'Images (PNG, JPEG, GIF, WebP) and videos (MP4, QuickTime, WebM) work.',
    ]
  if (error.status === 403)
    return ['Permission denied', 'Only editors can add media to this board.']
  if (error.status === 0)
    return ['You are offline', 'Uploads need a connection; try again when you are back online.']
  return ['Upload failed', error.message]
}

export function createUploads(board: BoardStore) {
  const [active, setActive] = createSignal<Upload[]>([])
  const patch = (id: string, progress: number) =>
    setActive((list) => list.map((u) => (u.id === id ? { ...u, progress } : u)))
  /** Sends `file`; answers what the board keeps of it, or null after saying why not. */
  const send = async (upload: Upload, file: File) => {
    setActive((list) => [...list, upload])
    try {
      const { media } = await api.upload(board.boardId, file, (f) => patch(upload.id, f))
      const size =
        media.kind === 'image'
          ? media.width && media.height
            ? { width: media.width, height: media.height }
            : await imageSize(mediaUrl(media.url))
          : { width: media.width, height: media.height }
      return {
        kind: media.kind,
        hash: media.hash,
        name: file.name,
        bytes: media.bytes,
        addedBy: board.me.id,
        ...size,
        ...(media.durationMs !== undefined ? { durationMs: media.durationMs } : {}),
        ...(media.fps !== undefined ? { fps: media.fps } : {}),
      }
    } catch (e) {
      const [title, description] = refusal(e)
      showToast('error', title, description)
      return null
    } finally {
      setActive((list) => list.filter((u) => u.id !== upload.id))
    }
  }
  return {
    active,
    async upload(file: File) {
      const id = newId()
      const sent = await send({ id, name: file.name, progress: 0 }, file)
      if (!sent) return
      board.conn.transact((doc) => addMedia(doc, { id, ...sent }))
      board.selectMedia(id)
    },
    /**
     * Uploads the next version of an item. Its number is the highest so far plus one, so two
     * editors adding versions at once would both make the same one: the item's lock is held
     * from the upload until the version is in the board.
     */
    async uploadVersion(mediaId: string, file: File): Promise<number | null> {
      const item = board.media[mediaId]
      if (!item) return null
      if (!(await board.locks.take('media', mediaId))) {
        const holder = board.locks.holderOf('media', mediaId)
        showToast(
          'error',
          'Someone else is changing this item',
          `${holder?.name ?? 'Someone'} holds it right now; try again when they are done.`,
        )
        return null
      }
      try {
        const sent = await send(
          { id: newId(), name: file.name, progress: 0, versionOf: mediaId },
          file,
        )
        if (!sent || !board.media[mediaId]) return null
        if (sent.kind !== item.kind) {
          showToast(
            'error',
            `A new version must be ${item.kind === 'video' ? 'a video' : 'an image'}`,
            `“${file.name}” is ${sent.kind === 'video' ? 'a video' : 'an image'}.`,
          )
          return null
        }
        const { kind: _kind, ...fields } = sent
        let n = 0
        board.conn.transact((doc) => (n = addMediaVersion(doc, mediaId, fields).n))
        return n
      } finally {
        await board.locks.release('media', mediaId)
      }
    },
  }
}

export type Uploads = ReturnType<typeof createUploads>
