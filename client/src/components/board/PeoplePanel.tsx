/** Who is here now (with what they look at and whether they are idle) and who can come. */
import { For, Show } from 'solid-js'
import { useBoard } from '../../lib/board-store.ts'
import { Avatar, uniqueUsers } from '../Avatars.tsx'

export function PeoplePanel() {
  const board = useBoard()
  const here = () => uniqueUsers(board.presence.peers())
  const hereIds = () => new Set([board.me.id, ...here().map((p) => p.user.id)])
  const looking = (view: { entityType: string; entityId: string } | null | undefined) => {
    if (!view) return 'on the board'
    const name = board.names.entity(view.entityType as never, view.entityId)
    return name
      ? `looking at “${name}”`
      : `looking at ${view.entityType === 'media' ? 'a media item' : `a ${view.entityType}`}`
  }
  return (
    <div class="people-panel">
      <h3 class="panel-heading">Here now</h3>
      <ul class="people-list">
        <li class="person">
          <span class="avatar" style={{ background: board.me.color }} aria-hidden="true">
            {board.me.name.slice(0, 1).toUpperCase()}
          </span>
          <span class="person-text">
            <span class="person-name">{board.me.name} (you)</span>
          </span>
        </li>
        <For each={here()}>
          {(peer) => (
            <li class="person">
              <Avatar peer={peer} />
              <span class="person-text">
                <span class="person-name">{peer.user.name}</span>
                <span class="muted">
                  {peer.status} ·{' '}
                  {peer.editing
                    ? `editing ${board.names.entity(peer.editing.entityType as never, peer.editing.entityId) ?? 'something'}`
                    : looking(peer.view)}
                </span>
              </span>
            </li>
          )}
        </For>
      </ul>
      <Show when={board.members().some((m) => !hereIds().has(m.id))}>
        <h3 class="panel-heading">Members</h3>
        <ul class="people-list">
          <For each={board.members().filter((m) => !hereIds().has(m.id))}>
            {(m) => (
              <li class="person away">
                <span class="avatar" style={{ background: m.color }} aria-hidden="true">
                  {m.name.slice(0, 1).toUpperCase()}
                </span>
                <span class="person-text">
                  <span class="person-name">{m.name}</span>
                  <span class="muted">{m.role}</span>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  )
}
