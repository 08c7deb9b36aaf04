import { createSignal, Show, type JSX } from 'solid-js'
import type { EntityType } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { restoreFromVersion } from './restore.ts'

/**
 * "Restore this …" on an entity of the version being looked at: it comes back to the live
 * board as it was then, as a new change on top (later work on everything else is kept).
 */
export function RestoreButton(props: {
  entityType: EntityType
  id: string
  label: string
  children: JSX.Element
}) {
  const board = useBoard()
  const [busy, setBusy] = createSignal(false)
  return (
    <Show when={board.version?.canRestore()}>
      <button
        type="button"
        class="button small restore-button"
        aria-label={props.label}
        disabled={busy()}
        onClick={async () => {
          setBusy(true)
          await restoreFromVersion(board, { entityType: props.entityType, entityId: props.id })
          setBusy(false)
        }}
      >
        {props.children}
      </button>
    </Show>
  )
}
