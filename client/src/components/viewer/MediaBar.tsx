/**
 * Above the viewer: the item's name, its versions (v1, v2, …: switch, upload the next one,
 * compare two), and for editors rename and delete. Delete asks first, then can be undone
 * from its toast (viewer/deletes.ts).
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { createSignal, For, Show } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import ChevronDown from 'lucide-solid/icons/chevron-down'
import Columns from 'lucide-solid/icons/columns-2'
import Ellipsis from 'lucide-solid/icons/ellipsis'
import Layers from 'lucide-solid/icons/layers'
import { renameMedia, type MediaJson } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { timeAgo } from '../../lib/time.ts'
import type { Uploads } from '../board/uploads.ts'
import type { ViewerState } from '../board/viewer-state.ts'
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx'
import { PromptDialog } from '../ui/PromptDialog.tsx'
import { showToast } from '../ui/toast.tsx'
import { deleteMediaWithUndo } from './deletes.ts'
import './review.css'

export function MediaBar(props: { media: MediaJson; state: ViewerState; uploads: Uploads }) {
  const board = useBoard()
  const s = props.state
  const [renaming, setRenaming] = createSignal(false)
  const [deleting, setDeleting] = createSignal(false)
  let fileInput!: HTMLInputElement
  const many = () => s.versions().length > 1
  const marksOn = () =>
    Object.values(board.annotations).filter((a) => a?.mediaId === props.media.id).length
  const compare = () => {
    if (s.comparison()) {
      s.setComparison(null)
      return
    }
    const right = s.shownVersion()
    const older = s.versions().filter((v) => v.n < right)
    const left = older.at(-1)?.n ?? s.versions().find((v) => v.n !== right)?.n ?? right
    s.setComparison({ left, right, mode: 'side' })
  }
  return (
    <div class="media-bar" data-testid="media-bar">
      <span class="media-name" title={props.media.name}>
        {props.media.name}
      </span>
      <Show when={many() || board.canEdit()}>
        <DropdownMenu>
          <DropdownMenu.Trigger
            class="button small mv-trigger"
            aria-label={`Version ${s.shownVersion()} of ${s.versions().length}. Versions`}
            data-testid="version-menu"
          >
            <Layers size={14} aria-hidden="true" />v{s.shownVersion()}
            <Show when={many()}>
              <span class="muted-inline">of {s.versions().length}</span>
            </Show>
            <ChevronDown size={14} aria-hidden="true" />
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content class="menu mv-menu">
              <DropdownMenu.Group>
                <DropdownMenu.GroupLabel class="menu-label">Versions</DropdownMenu.GroupLabel>
                <DropdownMenu.RadioGroup
                  value={String(s.shownVersion())}
                  onChange={(value) => {
                    s.setComparison(null)
                    s.showVersion(Number(value))
                  }}
                >
                  <For each={[...s.versions()].reverse()}>
                    {(v) => (
                      <DropdownMenu.RadioItem
                        class="menu-item mv-item"
                        value={String(v.n)}
                        closeOnSelect
                      >
                        <DropdownMenu.ItemIndicator class="menu-check">
                          <Check size={14} />
                        </DropdownMenu.ItemIndicator>
                        <span class="mv-n">v{v.n}</span>
                        <span class="mv-name">{v.name}</span>
                        <span class="muted">
                          {board.nameOf(v.addedBy)} · {timeAgo(v.addedAt)}
                        </span>
                      </DropdownMenu.RadioItem>
                    )}
                  </For>
                </DropdownMenu.RadioGroup>
              </DropdownMenu.Group>
              <Show when={board.canEdit()}>
                <DropdownMenu.Separator class="menu-separator" />
                <DropdownMenu.Item class="menu-item" onSelect={() => fileInput.click()}>
                  Upload a new version…
                </DropdownMenu.Item>
              </Show>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu>
      </Show>
      <Show when={many()}>
        <button
          type="button"
          class="button small"
          aria-pressed={!!s.comparison()}
          onClick={compare}
          data-testid="compare"
        >
          <Columns size={14} aria-hidden="true" /> Compare
        </button>
      </Show>
      <Show when={board.canEdit()}>
        <input
          ref={fileInput}
          type="file"
          class="sr-only"
          tabIndex={-1}
          aria-label={`New version of ${props.media.name}`}
          accept={props.media.kind === 'video' ? 'video/*' : 'image/*'}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0]
            e.currentTarget.value = ''
            if (!file) return
            void props.uploads.uploadVersion(props.media.id, file).then((n) => {
              if (n === null) return
              s.setComparison(null)
              s.showVersion(null)
              showToast('success', `Version ${n} added`, `${file.name} is now the newest version.`)
            })
          }}
        />
        <DropdownMenu>
          <DropdownMenu.Trigger class="icon-button ghost" aria-label="Media actions">
            <Ellipsis size={18} />
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content class="menu">
              <DropdownMenu.Item class="menu-item" onSelect={() => setRenaming(true)}>
                Rename…
              </DropdownMenu.Item>
              <DropdownMenu.Item class="menu-item" onSelect={() => fileInput.click()}>
                Upload a new version…
              </DropdownMenu.Item>
              <DropdownMenu.Separator class="menu-separator" />
              <DropdownMenu.Item class="menu-item danger" onSelect={() => setDeleting(true)}>
                Delete…
              </DropdownMenu.Item>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu>
        <PromptDialog
          open={renaming()}
          title="Rename media"
          label="Name"
          value={props.media.name}
          submit="Rename"
          onClose={() => setRenaming(false)}
          onSubmit={(name) => {
            setRenaming(false)
            board.conn.transact((doc) => renameMedia(doc, props.media.id, name))
          }}
        />
        <ConfirmDialog
          open={deleting()}
          title={`Delete “${props.media.name}”?`}
          confirm="Delete media"
          onClose={() => setDeleting(false)}
          onConfirm={() => deleteMediaWithUndo(board, props.media.id)}
        >
          {`It goes with all its ${s.versions().length > 1 ? `${s.versions().length} versions, ` : ''}${marksOn()} annotation${marksOn() === 1 ? '' : 's'} and their threads. You can undo this right after.`}
        </ConfirmDialog>
      </Show>
    </div>
  )
}
