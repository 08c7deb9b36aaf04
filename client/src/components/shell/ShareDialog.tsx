/**
 * Share: for now, invite links to the board's workspace (owners), by role, with a copy
 * button. Links made from this device are listed again (the server has no invite listing);
 * share links for one board will plug in here when the server has them.
 */
import { Dialog } from '@kobalte/core/dialog'
import { createSignal, For, Show } from 'solid-js'
import Copy from 'lucide-solid/icons/copy'
import Link from 'lucide-solid/icons/link'
import Share2 from 'lucide-solid/icons/share-2'
import X from 'lucide-solid/icons/x'
import { api, type Role } from '../../lib/api.ts'
import { remember, remembered } from '../../lib/cache.ts'
import { exactTime } from '../../lib/time.ts'
import { Select } from '../ui/Select.tsx'
import { BoardLinks, copyLink } from './BoardLinks.tsx'
import { showToast } from '../ui/toast.tsx'

interface MadeLink {
  url: string
  role: Role
  expiresAt: number
}

export function ShareButton(props: {
  workspaceId: string
  workspaceName: string
  /** On a board: links to that one board come first. */
  boardId?: string
}) {
  const [open, setOpen] = createSignal(false)
  const key = `loupe-invites-${props.workspaceId}`
  const [links, setLinks] = createSignal<MadeLink[]>(
    (remembered<MadeLink[]>(key) ?? []).filter((l) => l.expiresAt > Date.now()),
  )
  const [role, setRole] = createSignal<Role>('editor')
  const create = async () => {
    try {
      const made = await api.invite(props.workspaceId, { role: role() })
      const next = [{ url: made.url, role: made.role, expiresAt: made.expiresAt }, ...links()]
      setLinks(next)
      remember(key, next)
    } catch (e) {
      showToast('error', 'Could not make an invite link', (e as Error).message)
    }
  }
  const copy = copyLink
  return (
    <Dialog open={open()} onOpenChange={setOpen}>
      <Dialog.Trigger class="button primary share-button" aria-label="Share">
        <Share2 size={16} aria-hidden="true" />
        <span class="button-label">Share</span>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay class="scrim" />
        <div class="dialog-position">
          <Dialog.Content class="dialog">
            <header class="dialog-head">
              <Dialog.Title class="dialog-title">Share</Dialog.Title>
              <Dialog.CloseButton class="icon-button ghost" aria-label="Close">
                <X size={18} />
              </Dialog.CloseButton>
            </header>
            <Show when={props.boardId}>{(id) => <BoardLinks boardId={id()} />}</Show>
            <h3 class="share-title">Invite to {props.workspaceName}</h3>
            <Dialog.Description class="muted">
              Anyone with an invite link becomes a member of the workspace, with the role you pick.
            </Dialog.Description>
            <div class="inline-form">
              <Select
                label="Role"
                value={role()}
                options={[
                  { value: 'editor', label: 'Editor — can change everything on the boards' },
                  { value: 'reviewer', label: 'Reviewer — can comment and mark, not change' },
                  { value: 'viewer', label: 'Viewer — can look, not change' },
                ]}
                onChange={(r) => setRole(r as Role)}
              />
              <button type="button" class="button primary" onClick={() => void create()}>
                <Link size={16} aria-hidden="true" /> Create invite link
              </button>
            </div>
            <Show when={links().length > 0}>
              <ul class="link-list">
                <For each={links()}>
                  {(link) => (
                    <li class="list-row">
                      <span class="chip">{link.role}</span>
                      <input
                        class="input link-input"
                        readOnly
                        value={link.url}
                        aria-label="Invite link"
                      />
                      <span class="muted" title={exactTime(link.expiresAt)}>
                        until {new Date(link.expiresAt).toLocaleDateString()}
                      </span>
                      <button
                        type="button"
                        class="icon-button"
                        aria-label="Copy link"
                        onClick={() => copy(link.url)}
                      >
                        <Copy size={16} />
                      </button>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
