/** What every signed-in page gets from the shell (App.tsx): who I am, my workspaces, the live socket. */
import type { User, Workspace } from './api.ts'
import type { Live } from './live.ts'

export interface AppContext {
  me: User
  workspaces: () => Workspace[]
  reloadMe: () => void
  live: Live
  auth: boolean
}
