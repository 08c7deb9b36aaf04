import { Dynamic } from 'solid-js/web'
import CloudCheck from 'lucide-solid/icons/cloud-check'
import CloudOff from 'lucide-solid/icons/cloud-off'
import Eye from 'lucide-solid/icons/eye'
import RefreshCw from 'lucide-solid/icons/refresh-cw'
import TriangleAlert from 'lucide-solid/icons/triangle-alert'
import type { SaveState } from '../lib/board.ts'

const labels: Record<SaveState, string> = {
  'offline-saved-here': 'Offline — changes saved on this device',
  offline: 'Offline',
  syncing: 'Syncing…',
  saved: 'All changes saved',
  'read-only': 'Read only',
  'server-cannot-save': 'The server cannot save right now — changes kept on this device',
}

const icons = {
  'offline-saved-here': CloudOff,
  offline: CloudOff,
  syncing: RefreshCw,
  saved: CloudCheck,
  'read-only': Eye,
  'server-cannot-save': TriangleAlert,
} as const

/** Online or not, and whether the server has committed this client's changes. */
export function StatusPill(props: { state: SaveState }) {
  return (
    <span class={`pill ${props.state}`} role="status" aria-live="polite">
      <Dynamic component={icons[props.state]} size={14} aria-hidden="true" />
      <span data-testid="status" class="pill-label">
        {labels[props.state]}
      </span>
    </span>
  )
}
