/**
 * The board's media as a strip of thumbnails under the viewer (`[` and `]` step through it),
 * with uploads in progress shown in place, and the upload button at the end.
 */
import { For, Show } from 'solid-js'
import Film from 'lucide-solid/icons/film'
import Upload from 'lucide-solid/icons/upload'
import { mediaUrl } from '../../lib/api.ts'
import { useBoard } from '../../lib/board-store.ts'
import { createShortcuts, symbol } from '../../lib/shortcuts.ts'
import { VisitBadge } from '../history/VisitBadge.tsx'
import { ItemPeers } from '../Avatars.tsx'
import type { Uploads } from './uploads.ts'

export function MediaStrip(props: { uploads: Uploads }) {
  const board = useBoard()
  const step = (by: number) => {
    const list = board.mediaList()
    const index = list.findIndex((m) => m.id === board.selectedMedia())
    const next = list[(index + by + list.length) % list.length]
    if (next) board.selectMedia(next.id)
  }
  createShortcuts([
    {
      keys: ['['],
      description: 'Previous media',
      group: 'Navigation',
      match: symbol('['),
      run: () => step(-1),
    },
    {
      keys: [']'],
      description: 'Next media',
      group: 'Navigation',
      match: symbol(']'),
      run: () => step(1),
    },
  ])
  return (
    <div class="media-strip" role="list" aria-label="Media on this board">
      <For each={board.mediaList()}>
        {(m) => (
          <div role="listitem" class="strip-cell">
            <button
              type="button"
              class="thumb"
              classList={{ selected: board.selectedMedia() === m.id }}
              aria-current={board.selectedMedia() === m.id ? 'true' : undefined}
              onClick={() => board.selectMedia(m.id)}
            >
              <span class="thumb-image">
                <Show when={m.kind === 'image'} fallback={<Film size={22} aria-hidden="true" />}>
                  <img
                    src={mediaUrl(`/api/media/${m.hash}`)}
                    alt=""
                    loading="lazy"
                    draggable={false}
                  />
                </Show>
              </span>
              <span class="thumb-name">{m.name}</span>
            </button>
            <ItemPeers peers={board.presence.peers()} entityType="media" entityId={m.id} />
            <VisitBadge entityType="media" id={m.id} />
          </div>
        )}
      </For>
      <For each={props.uploads.active()}>
        {(u) => (
          <div role="listitem" class="strip-cell">
            <div class="thumb uploading" aria-label={`Uploading ${u.name}`}>
              <span class="thumb-image">
                <Upload size={20} aria-hidden="true" />
              </span>
              <span class="thumb-name">{u.name}</span>
              <progress max="1" value={u.progress} aria-label={`Upload progress of ${u.name}`} />
            </div>
          </div>
        )}
      </For>
      <Show when={board.canEdit()}>
        <div role="listitem" class="strip-cell">
          <label class="thumb upload-tile">
            <span class="thumb-image">
              <Upload size={20} aria-hidden="true" />
            </span>
            <span class="thumb-name">Upload media</span>
            <input
              type="file"
              class="sr-only"
              accept="image/*,video/*"
              multiple
              onChange={(e) => {
                const files = [...(e.currentTarget.files ?? [])]
                e.currentTarget.value = ''
                for (const file of files) void props.uploads.upload(file)
              }}
            />
          </label>
        </div>
      </Show>
    </div>
  )
}
