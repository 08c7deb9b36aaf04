import { Tooltip } from '@kobalte/core/tooltip'
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

/** An avatar; `decorative` inside a control that already says who it is. */
export function Avatar(props: { peer: Peer; size?: 'small'; decorative?: boolean }) {
  return (
    <span
      class={`avatar ${props.size ?? ''} ${props.peer.status}`}
      style={{ background: props.peer.user.color }}
      title={`${props.peer.user.name} (${props.peer.status})`}
      role={props.decorative ? undefined : 'img'}
      aria-hidden={props.decorative ? 'true' : undefined}
      aria-label={props.decorative ? undefined : `${props.peer.user.name}, ${props.peer.status}`}
    >
      <span aria-hidden="true">{props.peer.user.name.slice(0, 1).toUpperCase()}</span>
    </span>
  )
}

const SHOWN = 4

/** Who is on the board; clicking someone follows what they look at. */
export function AvatarStack(props: {
  peers: Peer[]
  following: string | null
  onFollow: (userId: string | null) => void
}) {
  const users = () => uniqueUsers(props.peers)
  return (
    <div class="avatars" data-testid="avatars" role="group" aria-label="People on this board">
      <For each={users().slice(0, SHOWN)}>
        {(peer) => (
          <Tooltip openDelay={300}>
            <Tooltip.Trigger
              as="button"
              type="button"
              class="avatar-button"
              classList={{ following: props.following === peer.user.id }}
              aria-pressed={props.following === peer.user.id}
              aria-label={`${props.following === peer.user.id ? 'Stop following' : 'Follow'} ${peer.user.name} (${peer.status})`}
              onClick={() => props.onFollow(props.following === peer.user.id ? null : peer.user.id)}
            >
              <Avatar peer={peer} decorative />
            </Tooltip.Trigger>
            <Tooltip.Portal>
              <Tooltip.Content class="tooltip">
                {peer.user.name} · {peer.status} —{' '}
                {props.following === peer.user.id ? 'click to stop following' : 'click to follow'}
              </Tooltip.Content>
            </Tooltip.Portal>
          </Tooltip>
        )}
      </For>
      <Show when={users().length > SHOWN}>
        <span class="avatar overflow" aria-label={`and ${users().length - SHOWN} more`}>
          +{users().length - SHOWN}
        </span>
      </Show>
      <Show when={props.following}>
        <span class="chip accent">Following</span>
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
