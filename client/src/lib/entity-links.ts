/**
 * Where an entity opens (docs/product.md deep links): a task in the task view, a thread in
 * the review view's Threads panel, a media item in the viewer, a mark on its media (or its
 * thread, when it has one), a board at its start. Search results and "since your last visit"
 * are links to these.
 */
import type { AnnotationFields, EntityType } from '../../../shared/schema/board.ts'
import { href } from './router.ts'

export function entityHref(
  boardId: string,
  entityType: EntityType | 'board',
  id: string,
  annotation?: Pick<AnnotationFields, 'mediaId' | 'threadId'> | null,
): string {
  switch (entityType) {
    case 'task':
      return href(['b', boardId, 'task', id])
    case 'thread':
      return href(['b', boardId, 'thread', id], { panel: 'threads' })
    case 'media':
      return href(['b', boardId, 'media', id])
    case 'annotation':
      if (annotation?.threadId)
        return href(['b', boardId, 'thread', annotation.threadId], { panel: 'threads' })
      return annotation ? href(['b', boardId, 'media', annotation.mediaId]) : href(['b', boardId])
    default:
      return href(['b', boardId])
  }
}
