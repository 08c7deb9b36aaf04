import { createResource, createSignal, For, Show } from 'solid-js'
import type { AppContext } from '../lib/app-context.ts'
import { api, type Role } from '../lib/api.ts'
import { navigate } from '../lib/router.ts'

/** A workspace: its boards (create, rename, archive) and, for owners, members and invites. */
export function WorkspacePage(props: { ctx: AppContext; workspaceId: string }) {
  const workspace = () => props.ctx.workspaces().find((w) => w.id === props.workspaceId)
  const isOwner = () => workspace()?.role === 'owner'
  const canEdit = () => workspace()?.role !== 'viewer'
  const [boards, { refetch }] = createResource(
    () => props.workspaceId,
    (id) => api.boards(id).then((r) => r.boards),
  )
  const [members, { refetch: refetchMembers }] = createResource(
    () => props.workspaceId,
    (id) => api.members(id).then((r) => r.members),
  )
  const [inviteUrl, setInviteUrl] = createSignal('')
  return (
    <section class="page">
      <h1>{workspace()?.name ?? 'Workspace'}</h1>
      <h2>Boards</h2>
      <ul class="list">
        <For each={boards()} fallback={<li>No boards yet.</li>}>
          {(board) => (
            <li>
              <a href={`#/b/${board.id}`}>{board.title}</a>
              <Show when={canEdit()}>
                <button
                  type="button"
                  class="link"
                  onClick={async () => {
                    const title = prompt('New title', board.title)
                    if (title) await api.renameBoard(board.id, title).then(() => refetch())
                  }}
                >
                  Rename
                </button>
              </Show>
              <Show when={isOwner()}>
                <button
                  type="button"
                  class="link"
                  onClick={() => void api.archiveBoard(board.id).then(() => refetch())}
                >
                  Archive
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={canEdit()}>
        <form
          class="inline"
          onSubmit={async (event) => {
            event.preventDefault()
            const input = event.currentTarget.elements.namedItem('title') as HTMLInputElement
            const { board } = await api.createBoard(props.workspaceId, { title: input.value })
            input.value = ''
            navigate('b', board.id)
          }}
        >
          <label>
            New board <input name="title" required maxLength={200} />
          </label>
          <button type="submit">Create board</button>
        </form>
      </Show>
      <h2>Members</h2>
      <ul class="list">
        <For each={members()}>
          {(member) => (
            <li>
              <span class="dot" style={{ background: member.color }} /> {member.name}{' '}
              <Show
                when={isOwner() && member.id !== props.ctx.me.id}
                fallback={<span class="muted">{member.role}</span>}
              >
                <select
                  aria-label={`Role of ${member.name}`}
                  value={member.role}
                  onChange={(e) =>
                    void api
                      .setRole(props.workspaceId, member.id, e.currentTarget.value as Role)
                      .then(() => refetchMembers())
                  }
                >
                  <option value="owner">owner</option>
                  <option value="editor">editor</option>
                  <option value="viewer">viewer</option>
                </select>
                <button
                  type="button"
                  class="link"
                  onClick={() =>
                    void api.removeMember(props.workspaceId, member.id).then(() => refetchMembers())
                  }
                >
                  Remove
                </button>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={isOwner() && props.ctx.auth}>
        <div class="inline">
          <For each={['editor', 'viewer'] as Role[]}>
            {(role) => (
              <button
                type="button"
                onClick={async () =>
                  setInviteUrl((await api.invite(props.workspaceId, { role })).url)
                }
              >
                Invite {role}
              </button>
            )}
          </For>
        </div>
        <Show when={inviteUrl()}>
          <p>
            <input readOnly value={inviteUrl()} aria-label="Invite link" size={60} />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(inviteUrl())}>
              Copy
            </button>
          </p>
        </Show>
      </Show>
    </section>
  )
}
