import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { createResource, createSignal, For, onMount, Show } from 'solid-js'
import Ellipsis from 'lucide-solid/icons/ellipsis'
import LayoutDashboard from 'lucide-solid/icons/layout-dashboard'
import Plus from 'lucide-solid/icons/plus'
import Users from 'lucide-solid/icons/users'
import type { AppContext } from '../lib/app-context.ts'
import { api, type Role } from '../lib/api.ts'
import { withMemory } from '../lib/cache.ts'
import { navigate } from '../lib/router.ts'
import { PageHeader } from '../components/shell/PageHeader.tsx'
import { ShareButton } from '../components/shell/ShareDialog.tsx'
import { EmptyState, Skeleton } from '../components/ui/EmptyState.tsx'
import { ConfirmDialog } from '../components/ui/ConfirmDialog.tsx'
import { showToast } from '../components/ui/toast.tsx'
import { showUndoToast } from '../components/ui/undo-toast.tsx'
import { PromptDialog } from '../components/ui/PromptDialog.tsx'
import { Select } from '../components/ui/Select.tsx'

const roleChoices = ['owner', 'editor', 'reviewer', 'viewer'].map((r) => ({ value: r, label: r }))

/**
 * A workspace: its boards (create, rename, delete — owners, after a confirmation, with an
 * Undo) and, for owners, members and invites.
 */
export function WorkspacePage(props: {
  ctx: AppContext
  workspaceId: string
  setTitle: (title: string) => void
}) {
  const workspace = () => props.ctx.workspaces().find((w) => w.id === props.workspaceId)
  onMount(() => props.setTitle(workspace()?.name ?? 'Workspace'))
  const isOwner = () => workspace()?.role === 'owner'
  const canEdit = () => workspace()?.role !== 'viewer'
  const [boards, { refetch }] = createResource(
    () => props.workspaceId,
    (id) => withMemory(`loupe-boards-${id}`, () => api.boards(id).then((r) => r.boards)),
  )
  const [members, { refetch: refetchMembers }] = createResource(
    () => props.workspaceId,
    (id) => withMemory(`loupe-members-${id}`, () => api.members(id).then((r) => r.members)),
  )
  const [renaming, setRenaming] = createSignal<{ id: string; title: string } | null>(null)
  const [deleting, setDeleting] = createSignal<{ id: string; title: string } | null>(null)
  // Deleting archives the board; its owner can take that back from the toast.
  const remove = async (target: { id: string; title: string }) => {
    try {
      await api.archiveBoard(target.id)
    } catch (e) {
      return failed('Could not delete the board')(e)
    }
    void refetch()
    showUndoToast(`Deleted the board “${target.title}”`, undefined, () => {
      void api.unarchiveBoard(target.id).then(() => refetch(), failed('Could not bring it back'))
      return true
    })
  }
  const failed = (what: string) => (e: unknown) =>
    showToast('error', what, e instanceof Error ? e.message : String(e))
  return (
    <>
      <PageHeader
        ctx={props.ctx}
        crumbs={[{ label: 'Workspaces', href: '#/' }, { label: workspace()?.name ?? 'Workspace' }]}
      >
        <Show when={isOwner() && props.ctx.auth}>
          <ShareButton workspaceId={props.workspaceId} workspaceName={workspace()?.name ?? ''} />
        </Show>
      </PageHeader>
      <section class="page">
        <h1 class="page-title">{workspace()?.name ?? 'Workspace'}</h1>
        <h2 class="section-title">Boards</h2>
        <Show when={!boards.loading} fallback={<Skeleton lines={3} />}>
          <Show
            when={(boards() ?? []).length > 0}
            fallback={
              <EmptyState icon={<LayoutDashboard size={28} />} title="No boards yet">
                A board holds media to review, its threads and a task board.
              </EmptyState>
            }
          >
            <ul class="card-grid">
              <For each={boards() ?? []}>
                {(board) => (
                  <li class="card board-card">
                    <a href={`#/b/${board.id}`} class="card-link-area">
                      <LayoutDashboard size={20} aria-hidden="true" />
                      <span class="card-title">{board.title}</span>
                    </a>
                    <Show when={canEdit()}>
                      <DropdownMenu>
                        <DropdownMenu.Trigger
                          class="icon-button ghost"
                          aria-label={`Actions for ${board.title}`}
                        >
                          <Ellipsis size={18} />
                        </DropdownMenu.Trigger>
                        <DropdownMenu.Portal>
                          <DropdownMenu.Content class="menu">
                            <DropdownMenu.Item
                              class="menu-item"
                              onSelect={() => setRenaming({ id: board.id, title: board.title })}
                            >
                              Rename
                            </DropdownMenu.Item>
                            <Show when={isOwner()}>
                              <DropdownMenu.Item
                                class="menu-item danger"
                                onSelect={() => setDeleting({ id: board.id, title: board.title })}
                              >
                                Delete…
                              </DropdownMenu.Item>
                            </Show>
                          </DropdownMenu.Content>
                        </DropdownMenu.Portal>
                      </DropdownMenu>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Show>
        <Show when={canEdit()}>
          <form
            class="inline-form"
            onSubmit={async (event) => {
              event.preventDefault()
              const input = event.currentTarget.elements.namedItem('title') as HTMLInputElement
              try {
                const { board } = await api.createBoard(props.workspaceId, { title: input.value })
                input.value = ''
                navigate('b', board.id)
              } catch (e) {
                failed('Could not create the board')(e)
              }
            }}
          >
            <label class="field">
              <span class="field-label">New board</span>
              <input
                name="title"
                required
                maxLength={200}
                class="input"
                placeholder="e.g. Spring promo"
              />
            </label>
            <button type="submit" class="button primary">
              <Plus size={16} aria-hidden="true" /> Create board
            </button>
          </form>
        </Show>
        <h2 class="section-title">
          <Users size={18} aria-hidden="true" /> Members
        </h2>
        <ul class="list-panel">
          <For each={members() ?? []}>
            {(member) => (
              <li class="list-row">
                <span class="avatar small" style={{ background: member.color }} aria-hidden="true">
                  {member.name.slice(0, 1).toUpperCase()}
                </span>
                <span class="row-text">{member.name}</span>
                <Show
                  when={isOwner() && member.id !== props.ctx.me.id}
                  fallback={<span class="chip">{member.role}</span>}
                >
                  <Select
                    class="row-select"
                    label={`Role of ${member.name}`}
                    hideLabel
                    value={member.role}
                    options={roleChoices}
                    onChange={(role) =>
                      void api
                        .setRole(props.workspaceId, member.id, role as Role)
                        .then(() => refetchMembers(), failed('Could not change the role'))
                    }
                  />
                  <button
                    type="button"
                    class="button ghost small"
                    onClick={() =>
                      void api
                        .removeMember(props.workspaceId, member.id)
                        .then(() => refetchMembers(), failed('Could not remove the member'))
                    }
                  >
                    Remove
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
      <ConfirmDialog
        open={deleting() !== null}
        title={`Delete “${deleting()?.title ?? ''}”?`}
        confirm="Delete board"
        onClose={() => setDeleting(null)}
        onConfirm={() => {
          const target = deleting()
          if (target) void remove(target)
        }}
      >
        The board leaves this workspace for everyone, and open copies of it close. You can undo this
        right after.
      </ConfirmDialog>
      <PromptDialog
        open={renaming() !== null}
        title="Rename board"
        label="Title"
        value={renaming()?.title ?? ''}
        submit="Rename"
        onClose={() => setRenaming(null)}
        onSubmit={async (title) => {
          const target = renaming()
          if (!target) return
          await api.renameBoard(target.id, title).then(() => refetch(), failed('Could not rename'))
          setRenaming(null)
        }}
      />
    </>
  )
}
