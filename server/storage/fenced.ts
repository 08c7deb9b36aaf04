/**
 * Fencing of board ownership (docs/cluster.md). In cluster mode one node owns a board and
 * every commit it makes is checked against the board's ownership epoch in the same
 * transaction; a node whose epoch is stale was taken over, and its commits are refused. The
 * refusal is its own error so the committer can tell it from a failing store: the store is
 * fine, this node must drop the room, relay nothing of it, and let clients reconnect to the
 * new owner. Kleppmann's fencing token, checked by the storage itself.
 */
import type { DocStore, DocUpdate } from './doc-store.ts'

export class FencedError extends Error {
  readonly code = 'FENCED'

  /** `boardIds`: the boards this node no longer owns; nothing of the append was stored. */
  constructor(readonly boardIds: readonly string[]) {
    super(
      `board${boardIds.length === 1 ? '' : 's'} ${boardIds.join(', ')} ${boardIds.length === 1 ? 'is' : 'are'} owned by another node (stale ownership epoch); nothing was stored`,
    )
    this.name = 'FencedError'
  }
}

/**
 * Appends what this node may still write. A fenced append stores nothing, so the boards it
 * names are dropped and the rest committed again; resolves with the boards that were dropped
 * (their updates were not stored and must not be relayed).
 */
export async function appendUnfenced(
  store: DocStore,
  updates: readonly DocUpdate[],
): Promise<Set<string>> {
  const fenced = new Set<string>()
  let rest = updates
  while (rest.length > 0) {
    try {
      await store.append(rest)
      break
    } catch (error) {
      if (!(error instanceof FencedError) || error.boardIds.length === 0) throw error
      for (const boardId of error.boardIds) fenced.add(boardId)
      const left = rest.filter((update) => !fenced.has(update.boardId))
      // A refusal naming none of what is left would loop forever: it is not ours to absorb.
      if (left.length === rest.length) throw error
      rest = left
    }
  }
  return fenced
}
