/**
 * "Since your last visit" (docs/product.md, "History"): what others added or changed on a
 * board since this person last had it open, asked once when the board opens. Those entities
 * are marked (task cards, threads) and listed in the History panel until dismissed; a
 * dismissal holds for that visit only and is remembered on this device.
 */
import { createMemo, createResource, createSignal } from 'solid-js'
import type { EntityRefJson } from '../../../shared/api.ts'
import type { EntityType } from '../../../shared/schema/board.ts'
import { api } from './api.ts'
import { remember, remembered } from './cache.ts'

export type VisitChange = 'added' | 'changed'

export function createSinceLastVisit(boardId: string) {
  // Offline there is nothing to ask: nothing is marked.
  const [answer] = createResource(
    () => boardId,
    (id) => api.sinceLastVisit(id).catch(() => null),
  )
  const key = `loupe-visit-seen-${boardId}`
  const [dismissed, setDismissed] = createSignal(remembered<number>(key))
  const shown = () => {
    const found = answer.state === 'ready' ? answer() : null
    return found && found.since !== null && found.since !== dismissed() ? found : null
  }
  const changes = createMemo(() => {
    const index = new Map<string, VisitChange>()
    const found = shown()
    for (const ref of found?.changed ?? []) index.set(`${ref.entityType}/${ref.id}`, 'changed')
    for (const ref of found?.added ?? []) index.set(`${ref.entityType}/${ref.id}`, 'added')
    return index
  })
  return {
    /** When the last visit ended, while there is something to show. */
    since: () => shown()?.since ?? null,
    list: (): Array<EntityRefJson & { change: VisitChange }> => [
      ...(shown()?.added ?? []).map((ref) => ({ ...ref, change: 'added' as const })),
      ...(shown()?.changed ?? []).map((ref) => ({ ...ref, change: 'changed' as const })),
    ],
    /** Whether others added or changed this entity since the last visit (null: neither). */
    of: (entityType: EntityType, id: string): VisitChange | null =>
      changes().get(`${entityType}/${id}`) ?? null,
    dismiss() {
      const since = shown()?.since
      if (since === undefined || since === null) return
      remember(key, since)
      setDismissed(since)
    },
  }
}

export type SinceLastVisit = ReturnType<typeof createSinceLastVisit>
