/**
 * Restoring from the version being looked at (POST …/versions/<id>/restore): one entity or
 * the whole board comes back as it was, as a new change the server makes on top of the live
 * board — it reaches everyone like an edit and keeps later work on everything else
 * (docs/product.md, "History"). A restore stops at another person's lock, and says so.
 */
import type { EntityType } from '../../../../shared/schema/board.ts'
import { api, ApiError } from '../../lib/api.ts'
import type { BoardStore } from '../../lib/board-store.ts'
import { exactTime } from '../../lib/time.ts'
import { showToast } from '../ui/toast.tsx'

const kinds: Record<EntityType, string> = {
  task: 'the task',
  thread: 'the thread',
  media: 'the media item',
  annotation: 'the mark',
}

/** "the task “Check the night exposure”", from the version's own content. */
export function entityWords(board: BoardStore, entityType: EntityType, id: string): string {
  const name = board.names.entity(entityType, id)
  const quoted = name ? ` “${name.length > 50 ? `${name.slice(0, 47)}…` : name}”` : ''
  return `${kinds[entityType]}${quoted}`
}

export async function restoreFromVersion(
  board: BoardStore,
  target?: { entityType: EntityType; entityId: string },
): Promise<boolean> {
  const version = board.version
  if (!version) return false
  const what = target ? entityWords(board, target.entityType, target.entityId) : 'the board'
  const when = version.name ? `“${version.name}”` : `the version of ${exactTime(version.createdAt)}`
  try {
    const { restored } = await api.restoreVersion(board.boardId, version.id, target ?? {})
    showToast(
      'success',
      restored.changed ? `Restored ${what}` : `Nothing to restore: ${what} is as it was`,
      `As in ${when}. Later work on everything else is kept.`,
    )
    return true
  } catch (error) {
    if (error instanceof ApiError && error.code === 'locked') {
      const holder = error.body?.error.holder as { name?: string } | undefined
      showToast(
        'error',
        'Someone is editing that',
        `${holder?.name ?? 'Another person'} holds its lock; restore once it is free.`,
      )
    } else showToast('error', `Could not restore ${what}`, (error as Error).message)
    return false
  }
}
