/**
 * History and "since your last visit", composed for one server (server.ts): what they store,
 * and what they need to hear of committed updates.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { EventBus } from '../events/bus.ts'
import type { AuditRepo } from '../storage/audit-repo.ts'
import type { DirectoryRepo } from '../storage/directory-repo.ts'
import type { DocUpdate } from '../storage/doc-store.ts'
import type { VersionRepo, VisitRepo } from '../storage/history-repo.ts'
import { BoardHistory, type HistoryDeps } from './board-history.ts'
import { Checkpoints } from './checkpoints.ts'
import type { CommittedSource } from './committed.ts'
import { SinceLastVisit } from './since-last-visit.ts'

export interface History {
  board: BoardHistory
  checkpoints: Checkpoints
  sinceLastVisit: SinceLastVisit
  /** Committed updates (storage/observed-doc-store.ts). */
  committed(updates: readonly DocUpdate[]): void
}

export function createHistory(deps: {
  versions: VersionRepo
  visits: VisitRepo
  source: CommittedSource
  directory: DirectoryRepo
  bus: EventBus
  audit: AuditRepo
  config: Pick<Config, 'history' | 'auth'>
  lockedByOthers: HistoryDeps['lockedByOthers']
  log: Logger
}): History {
  const { versions, visits } = deps
  const { quietMs, maxMs, retentionMs } = deps.config.history
  const checkpoints = new Checkpoints({
    versions,
    source: deps.source,
    timing: { quietMs, maxMs },
    retention: { maxAgeMs: retentionMs },
    log: deps.log,
  })
  return {
    board: new BoardHistory({ ...deps, versions, checkpoints, rooms: deps.source.rooms }),
    checkpoints,
    sinceLastVisit: new SinceLastVisit(visits, deps.source, deps.log, deps.config.auth),
    committed(updates) {
      const boards = new Set(updates.map((u) => u.boardId))
      for (const boardId of boards) checkpoints.changed(boardId)
      visits
        .learn(updates)
        .catch((error: unknown) => deps.log.error({ err: error }, 'client ids not learnt'))
    },
  }
}
