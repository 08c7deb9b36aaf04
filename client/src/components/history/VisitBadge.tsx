import { Show } from 'solid-js'
import type { EntityType } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'

/** "New" or "Updated": others added or changed this since this person's last visit. */
export function VisitBadge(props: { entityType: EntityType; id: string }) {
  const board = useBoard()
  const change = () => (board.version ? null : board.sinceLastVisit.of(props.entityType, props.id))
  return (
    <Show when={change()}>
      {(kind) => (
        <span class="chip accent visit-badge" data-testid="visit-badge">
          {kind() === 'added' ? 'New' : 'Updated'}
          <span class="sr-only"> since your last visit</span>
        </span>
      )}
    </Show>
  )
}
