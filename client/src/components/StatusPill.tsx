import type { SaveState } from '../lib/board.ts'

const labels: Record<SaveState, string> = {
  'offline-saved-here': 'Offline — changes saved on this device',
  offline: 'Offline',
  syncing: 'Syncing…',
  saved: 'All changes saved',
  'read-only': 'Read only',
  'server-cannot-save': 'The server cannot save right now — changes kept on this device',
}

/** Online or not, and whether the server has committed this client's changes. */
export function StatusPill(props: { state: SaveState }) {
  return (
    <span class={`pill ${props.state}`} data-testid="status" role="status" aria-live="polite">
      {labels[props.state]}
    </span>
  )
}
