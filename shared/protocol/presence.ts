/**
 * Who is here and what they do (docs/product.md, "Awareness"): the awareness state each client
 * publishes, with `user` stamped by the server, and the presence the HTTP API reports.
 */
import type { EntityType } from '../schema/board.ts'

/** A person as others see them; the server stamps it into every awareness state. */
export interface PublicUser {
  id: string
  name: string
  color: string
}

/** active; idle after 60 s without input; away when the tab is hidden or after 5 min. */
export type PresenceStatus = 'active' | 'idle' | 'away'
export const presenceStatuses: readonly PresenceStatus[] = ['active', 'idle', 'away']

/** What someone views or edits: one entity of the board. */
export interface EntityPointer {
  entityType: EntityType
  entityId: string
}

export interface PresenceState {
  user: PublicUser
  status: PresenceStatus
  view: EntityPointer | null
  editing: EntityPointer | null
  /** A point on a media item, normalised 0..1; null when the user does not share it. */
  cursor: { mediaId: string; x: number; y: number } | null
  typing: { threadId: string } | null
}

/** One user in `GET /api/presence/<boardId>`: their most active tab. */
export interface PresentUser extends PublicUser {
  status: PresenceStatus
  view: EntityPointer | null
  editing: EntityPointer | null
}
