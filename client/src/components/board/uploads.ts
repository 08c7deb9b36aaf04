/**
 * Uploads in progress: each file goes to POST /api/media with progress, then becomes a media
 * item in the board. Refusals come back as toasts in words (too large, wrong type, offline).
 */
import { createSignal } from 'solid-js'
import { newId } from '../../../../shared/ids.ts'
import { addMedia } from '../../../../shared/schema/board.ts'
import { api, ApiError, mediaUrl } from '../../lib/api.ts'
import type { BoardStore } from '../../lib/board-store.ts'
import { showToast } from '../ui/toast.tsx'

interface Upload {
  id: string
  name: string
  progress: number
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
  return {
    active,
    async upload(file: File) {
      const id = newId()
      setActive((list) => [...list, { id, name: file.name, progress: 0 }])
      try {
        const { media } = await api.upload(board.boardId, file, (f) => patch(id, f))
        const size =
          media.kind === 'image'
            ? media.width && media.height
              ? { width: media.width, height: media.height }
              : await imageSize(mediaUrl(media.url))
            : { width: media.width, height: media.height }
        board.conn.transact((doc) =>
          addMedia(doc, {
            id,
            kind: media.kind,
            hash: media.hash,
            name: file.name,
            bytes: media.bytes,
            addedBy: board.me.id,
            ...size,
          }),
        )
        board.selectMedia(id)
      } catch (e) {
        const [title, description] = refusal(e)
        showToast('error', title, description)
      } finally {
        setActive((list) => list.filter((u) => u.id !== id))
      }
    },
  }
}

export type Uploads = ReturnType<typeof createUploads>
