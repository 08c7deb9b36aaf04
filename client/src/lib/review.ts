/**
 * The review rules the viewer, the timeline and the panels share (docs/product.md, "The
 * data"): which version a mark or thread belongs to, where a thread sits on a
 * media item, which marks a version and a frame show, and a version's review status — derived
 * from everyone's verdicts, never stored.
 */
import type {
  AnnotationFields,
  MediaJson,
  MediaVersion,
  ReviewEntry,
  ThreadJson,
} from '../../../shared/schema/board.ts'
import { isReviewEntry, LegacyApproval } from '../../../shared/schema/board.ts'
import { frameAt } from './timecode.ts'

/** The version something was made on: absent means 1 (made before versions existed). */
export const versionOf = (thing: { version?: number | undefined }) => thing.version ?? 1

/**
 * An item's versions as the store renders them, by number; an item without `versions` (made
 * before they existed) is its own version 1.
 */
export function versionsOf(media: MediaJson): MediaVersion[] {
  if (media.versions?.length) return [...media.versions].sort((a, b) => a.n - b.n)
  const { hash, name, bytes, width, height, durationMs, fps, addedBy, addedAt } = media
  const one: MediaVersion = { n: 1, hash, name, bytes, addedBy, addedAt }
  if (width !== undefined) one.width = width
  if (height !== undefined) one.height = height
  if (durationMs !== undefined) one.durationMs = durationMs
  if (fps !== undefined) one.fps = fps
  return [one]
}

/** A media item as the store renders it, with an early client's approval keys. */
export type ReviewedMedia = MediaJson & { approvedBy?: string | null; approvedAt?: number | null }

/** Everyone's verdict by user id (an early client's `approvedBy` is an approval of v1). */
export function reviewsOf(media: ReviewedMedia): Record<string, ReviewEntry> {
  const out: Record<string, ReviewEntry> = {}
  const legacy = media[LegacyApproval.by]
  if (typeof legacy === 'string' && legacy)
    out[legacy] = { version: 1, verdict: 'approved', at: media.approvedAt ?? 0 }
  for (const [userId, entry] of Object.entries(media.reviews ?? {}))
    if (isReviewEntry(entry)) out[userId] = entry
  return out
}

export type ReviewStatus = 'not_reviewed' | 'approved' | 'changes_requested'

export interface ReviewRound {
  /** Any change request wins; else any approval; else nobody has decided on this version. */
  status: ReviewStatus
  /** Verdicts on this version, oldest first. */
  current: Array<{ userId: string } & ReviewEntry>
  /** Each other person's last verdict, on an earlier version (shown greyed beside). */
  earlier: Array<{ userId: string } & ReviewEntry>
}

export function reviewRound(reviews: Record<string, ReviewEntry>, version: number): ReviewRound {
  const all = Object.entries(reviews)
    .map(([userId, entry]) => ({ userId, ...entry }))
    .sort((a, b) => a.at - b.at)
  const current = all.filter((r) => r.version === version)
  const earlier = all.filter((r) => r.version < version)
  const status: ReviewStatus = current.some((r) => r.verdict === 'changes_requested')
    ? 'changes_requested'
    : current.some((r) => r.verdict === 'approved')
      ? 'approved'
      : 'not_reviewed'
  return { status, current, earlier }
}

export const statusWords: Record<ReviewStatus, string> = {
  not_reviewed: 'Not reviewed',
  approved: 'Approved',
  changes_requested: 'Changes requested',
}

/** Where a thread sits: on which media item, version and time (null: not on media). */
export interface ThreadPlace {
  mediaId: string
  version: number
  timeMs?: number
  endMs?: number
}

export function threadPlace(
  thread: Pick<ThreadJson, 'anchor'>,
  annotations: Record<string, AnnotationFields | undefined>,
): ThreadPlace | null {
  const anchor = thread.anchor
  const mark = anchor.type === 'annotation' ? annotations[anchor.id] : undefined
  const mediaId =
    anchor.type === 'media'
      ? anchor.id
      : anchor.type === 'annotation'
        ? (mark?.mediaId ?? anchor.mediaId)
        : undefined
  if (!mediaId) return null
  const timeMs = anchor.timeMs ?? mark?.timeMs
  const endMs = anchor.endMs ?? mark?.endMs
  return {
    mediaId,
    version: anchor.version ?? mark?.version ?? 1,
    ...(timeMs !== undefined ? { timeMs } : {}),
    ...(endMs !== undefined ? { endMs } : {}),
  }
}

/** Whether something bound to a time (or a range) shows on `frame`; unbound things always do. */
export function onFrame(
  thing: { timeMs?: number | undefined; endMs?: number | undefined },
  frame: number,
  fps: number,
): boolean {
  if (thing.timeMs === undefined) return true
  const first = frameAt(thing.timeMs, fps)
  const last = thing.endMs !== undefined ? Math.max(first, frameAt(thing.endMs, fps)) : first
  return frame >= first && frame <= last
}

/**
 * How a mark shows on `version`: its own version's marks in full; the previous version's marks
 * whose thread is still open faded and read-only (their feedback may still apply); others not.
 */
export function markLayer(
  mark: AnnotationFields,
  version: number,
  threadResolved: boolean | undefined,
): 'own' | 'earlier' | null {
  const made = versionOf(mark)
  if (made === version) return 'own'
  if (made === version - 1 && threadResolved !== true) return 'earlier'
  return null
}
