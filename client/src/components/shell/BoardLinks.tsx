/**
 * Share links to one board (owners): outsiders who open one join that board as guests —
 * comment only (reviewer) or view only — until it expires or is revoked (their sockets close
 * at once). The token is shown once, when the link is made; the list shows the rest.
 */
import { createResource, createSignal, For, Show } from 'solid-js'
import Copy from 'lucide-solid/icons/copy'
import Link from 'lucide-solid/icons/link'
import { api } from '../../lib/api.ts'
import { exactTime } from '../../lib/time.ts'
import { Select } from '../ui/Select.tsx'
import { showToast } from '../ui/toast.tsx'

const roleNames: Record<string, string> = {
  reviewer: 'Comment only',
  viewer: 'View only',
}

export function copyLink(url: string): void {
  void navigator.clipboard?.writeText(url).then(
    () => showToast('success', 'Link copied'),
    () => showToast('error', 'Could not copy', 'Select the link and copy it by hand.'),
  )
}

export function BoardLinks(props: { boardId: string }) {
  const [links, { refetch }] = createResource(
    () => props.boardId,
    (id) => api.shareLinks(id).then((r) => r.links),
  )
  const [role, setRole] = createSignal<'reviewer' | 'viewer'>('reviewer')
  const [days, setDays] = createSignal('7')
  const [made, setMade] = createSignal<string | null>(null)
  const create = async (password: string) => {
    try {
      const { link } = await api.createShareLink(props.boardId, {
        role: role(),
        expiresInHours: Number(days()) * 24,
        ...(password ? { password } : {}),
      })
      setMade(link.url)
      void refetch()
    } catch (e) {
      showToast('error', 'Could not make a link', (e as Error).message)
    }
  }
  const active = () => (links() ?? []).filter((l) => l.state === 'active')
  return (
    <section class="share-section" aria-labelledby="board-links-title">
      <h3 class="share-title" id="board-links-title">
        Link to this board
      </h3>
      <p class="muted">
        People with the link join this board only, as guests, without an account here.
      </p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          const input = e.currentTarget.elements.namedItem('link-password') as HTMLInputElement
          void create(input.value)
          input.value = ''
        }}
      >
        <Select
          label="Guests can"
          value={role()}
          options={[
            { value: 'reviewer', label: roleNames.reviewer as string },
            { value: 'viewer', label: roleNames.viewer as string },
          ]}
          onChange={(r) => setRole(r as 'reviewer' | 'viewer')}
        />
        <Select
          label="Expires after"
          value={days()}
          options={[
            { value: '1', label: '1 day' },
            { value: '7', label: '7 days' },
            { value: '30', label: '30 days' },
          ]}
          onChange={setDays}
        />
        <label class="field">
          <span class="field-label">Password (optional)</span>
          <input class="input" name="link-password" type="password" autocomplete="new-password" />
        </label>
        <button type="submit" class="button primary">
          <Link size={16} aria-hidden="true" /> Create link
        </button>
      </form>
      <Show when={made()}>
        {(url) => (
          <div class="list-row made-link">
            <input class="input link-input" readOnly value={url()} aria-label="New board link" />
            <button
              type="button"
              class="icon-button"
              aria-label="Copy link"
              onClick={() => copyLink(url())}
            >
              <Copy size={16} />
            </button>
          </div>
        )}
      </Show>
      <Show when={active().length > 0}>
        <ul class="link-list" aria-label="Active links">
          <For each={active()}>
            {(link) => (
              <li class="list-row">
                <span class="chip">{roleNames[link.role]}</span>
                <span class="row-text muted">
                  {link.guests} {link.guests === 1 ? 'guest' : 'guests'}
                  {link.hasPassword ? ' · password' : ''} · until{' '}
                  <time title={exactTime(link.expiresAt)}>
                    {new Date(link.expiresAt).toLocaleDateString()}
                  </time>
                </span>
                <button
                  type="button"
                  class="button ghost small danger"
                  onClick={() =>
                    void api.revokeShareLink(props.boardId, link.id).then(
                      () => {
                        showToast(
                          'success',
                          'Link revoked',
                          'Its guests were signed out of this board.',
                        )
                        void refetch()
                      },
                      (e: Error) => showToast('error', 'Could not revoke', e.message),
                    )
                  }
                >
                  Revoke
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  )
}
