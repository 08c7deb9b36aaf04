import { For, Show } from 'solid-js'
import type { Peer } from '../lib/presence.ts'

/** One avatar per user (several tabs show once), most active status first. */
export function uniqueUsers(peers: Peer[]): Peer[] {
  const rank = { active: 2, idle: 1, away: 0 }
  const byUser = new Map<string, Peer>()
  for (const peer of peers) {
    const seen = byUser.get(peer.user.id)
    if (!seen || rank[peer.status] > rank[seen.status]) byUser.set(peer.user.id, peer)
  }
  return [...byUser.values()]
}

export function Avatar(props: { peer: Peer; size?: 'small' }) {
  return (
    <span
      class={`avatar ${props.size ?? ''} ${props.peer.status}`}
      style={{ background: props.peer.user.color }}
      title={`${props.peer.user.name} (${props.peer.status})`}
      aria-label={`${props.peer.user.name}, ${props.peer.status}`}
    >
      {props.peer.user.name.slice(0, 1).toUpperCase()}
    </span>
  )
}

/** Who is on the board; clicking someone follows what they look at. */
export function AvatarStack(props: {
  peers: Peer[]
  following: string | null
  onFollow: (userId: string | null) => void
}) {
  return (
    <div class="avatars" data-testid="avatars" aria-label="People on this board">
      <For each={uniqueUsers(props.peers)}>
        {(peer) => (
          <button
            type="button"
            class="plain"
            classList={{ following: props.following === peer.user.id }}
            aria-pressed={props.following === peer.user.id}
            title={
              props.following === peer.user.id
                ? `Stop following ${peer.user.name}`
                : `Follow ${peer.user.name}`
            }
            onClick={() => props.onFollow(props.following === peer.user.id ? null : peer.user.id)}
          >
            <Avatar peer={peer} />
          </button>
        )}
      </For>
      <Show when={props.following}>
        <span class="muted">following</span>
      </Show>
    </div>
  )
}

/** Small avatars on an item: who views it, and (outlined) who edits it. */
export function ItemPeers(props: { peers: Peer[]; entityType: string; entityId: string }) {
  const here = () =>
    uniqueUsers(
      props.peers.filter(
        (p) =>
          (p.view?.entityType === props.entityType && p.view.entityId === props.entityId) ||
          (p.editing?.entityType === props.entityType && p.editing.entityId === props.entityId),
      ),
    )
  return (
    <span class="item-peers" data-testid={`peers-${props.entityType}-${props.entityId}`}>
      <For each={here()}>{(peer) => <Avatar peer={peer} size="small" />}</For>
    </span>
  )
}
