/** What every signed-in page gets from the shell (App.tsx): who I am, my workspaces, the live socket. */
import type { Accessor } from 'solid-js'
import type { GuestInfo } from '../../../shared/api.ts'
import type { User, Workspace } from './api.ts'
import type { Live } from './live.ts'
import type { InboxStore } from './inbox.ts'

export interface AppContext {
  me: User
  workspaces: () => Workspace[]
  reloadMe: () => void
  live: Live
  auth: boolean
  inbox: InboxStore
  /** Whether the live socket is connected. */
  connected: Accessor<boolean>
  /** Owners (or everyone in home mode) may see the system status page. */
  isOwner: () => boolean
  /** Opens the navigation drawer on narrow screens. */
  openNav: () => void
  /** Set for a guest who joined by a share link: the one board they reach. */
  guest: GuestInfo | null
}
