/**
 * One family of stores — SQLite on one machine, PostgreSQL in cluster mode — as the server
 * sees it: every repository behind an asynchronous interface, and `transaction(work)` to run
 * several of them in one transaction (docs/cluster.md, "Stores and transactions").
 *
 *   await stores.transaction(async (tx) => {
 *     if (!(await tx.accounts.useInvite(id))) throw usedUp()
 *     await tx.directory.setMember(workspaceId, userId, role)
 *     tx.afterCommit(() => tell(userId))
 *   })
 *
 * Inside `work`, use only `tx`'s repositories and await only them: on SQLite the whole
 * transaction runs in one turn of the event loop (nothing else runs between its statements),
 * so awaiting anything else — I/O, a timer, another transaction — fails it loudly. Do slow
 * work (hashing a password, reading a board) before or after.
 */
import type { AccountsRepo } from './accounts-repo.ts'
import type { AuditRepo } from './audit-repo.ts'
import type { DirectoryRepo } from './directory-repo.ts'
import type { DocStore } from './doc-store.ts'
import type { VersionRepo, VisitRepo } from './history-repo.ts'
import type { MediaRepo } from './media-repo.ts'
import type { EventStore } from '../events/event-store.ts'
import type { NotificationRepo } from './notification-repo.ts'
import type { SearchRepo } from './search-repo.ts'
import type { ShareLinksRepo } from './share-links-repo.ts'
import type { OffThreadFold } from './sqlite-doc-store.ts'

/** The repositories, on their own (each call its own transaction) or inside one. */
export interface Repositories {
  readonly directory: DirectoryRepo
  readonly accounts: AccountsRepo
  readonly shareLinks: ShareLinksRepo
  readonly events: EventStore
  readonly notifications: NotificationRepo
  readonly audit: AuditRepo
  readonly media: MediaRepo
  readonly versions: VersionRepo
  readonly visits: VisitRepo
  readonly search: SearchRepo
  /**
   * Runs `effect` once what was written through these repositories is committed: at once
   * outside a transaction, after COMMIT inside one, never if it rolls back. For what others
   * must only hear of when it is durable (live events, pushed notifications).
   */
  afterCommit(effect: () => void): void
}

/** The repositories of one transaction; dead once it ends (a late call throws). */
export type StoreTx = Repositories

export interface Stores extends Repositories {
  readonly kind: 'sqlite' | 'postgres'
  /** Runs `work` in one transaction: all it wrote commits, or none does if it throws. */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>
  /** The board documents; `offThread` folds big boards off the event loop where the store can. */
  docStore(options?: { offThread?: OffThreadFold }): DocStore
  /** Why the stores cannot serve now (readiness): empty when they can. */
  problems(): Promise<string[]>
  close(): Promise<void>
}

/** Where a failing after-commit effect is reported: the transaction stays committed. */
export type EffectFailed = (error: unknown) => void

/** Runs after-commit effects in order; one failing does not keep the others from running. */
export function runEffects(effects: ReadonlyArray<() => void>, failed: EffectFailed): void {
  for (const effect of effects) {
    try {
      effect()
    } catch (error) {
      failed(error)
    }
  }
}
