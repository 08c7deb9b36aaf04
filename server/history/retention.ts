/**
 * Which automatic checkpoints to thin out (docs/operations.md, "History"). Recent history is
 * kept whole and older history ever more sparsely, so a busy board's history stays bounded
 * while every day of its life keeps a version: all of the last day, then the newest of each
 * hour for a week, then the newest of each day until the retention ends. Named versions are
 * never thinned; callers pass only automatic ones.
 */

const HOUR = 3600 * 1000
const DAY = 24 * HOUR

export interface RetentionPolicy {
  /** Automatic checkpoints older than this are deleted. */
  maxAgeMs: number
}

export function checkpointsToDrop(
  checkpoints: ReadonlyArray<{ id: string; createdAt: number }>,
  now: number,
  policy: RetentionPolicy,
): string[] {
  const newestFirst = [...checkpoints].sort((a, b) => b.createdAt - a.createdAt)
  const kept = new Set<string>()
  const drop: string[] = []
  for (const { id, createdAt } of newestFirst) {
    const age = now - createdAt
    let bucket: string | null
    if (age > policy.maxAgeMs) bucket = null
    else if (age <= DAY) bucket = `all:${id}`
    else if (age <= 7 * DAY) bucket = `hour:${Math.floor(createdAt / HOUR)}`
    else bucket = `day:${Math.floor(createdAt / DAY)}`
    if (bucket === null || kept.has(bucket)) drop.push(id)
    else kept.add(bucket)
  }
  return drop
}
