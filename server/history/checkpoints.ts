/**
 * Automatic checkpoints (docs/operations.md, "History"). A board's editing session closes into
 * a version after `quietMs` without a committed change, or after `maxMs` of continuous
 * editing, and before each compaction the server runs; a clean stop closes every open one.
 * Every checkpoint is written from committed state (committed.ts), never from memory that is
 * not yet on disk. Thinning runs after each checkpoint and hourly (retention.ts).
 */
import type { Logger } from 'pino'
import * as Y from 'yjs'
import { newId } from '../../shared/ids.ts'
import type { BoardVersion } from '../../shared/api.ts'
import { committedState, type CommittedSource } from './committed.ts'
import { checkpointsToDrop, type RetentionPolicy } from './retention.ts'
import type { VersionRepo } from '../storage/history-repo.ts'

const HOUR = 3600 * 1000

export interface CheckpointTiming {
  /** A session closes after this long without a committed change. */
  quietMs: number
  /** ... or once it has lasted this long. */
  maxMs: number
}

interface Session {
  startedAt: number
  lastChangeAt: number
}

export class Checkpoints {
  private readonly open = new Map<string, Session>()
  private readonly writing = new Map<string, Promise<void>>()
  private readonly tickTimer: NodeJS.Timeout
  private thinTimer: NodeJS.Timeout

  constructor(
    private readonly deps: {
      versions: VersionRepo
      source: CommittedSource
      timing: CheckpointTiming
      retention: RetentionPolicy
      log: Logger
      now?: () => number
    },
  ) {
    const { quietMs, maxMs } = deps.timing
    const tickMs = Math.min(15_000, Math.max(20, Math.min(quietMs, maxMs) / 4))
    this.tickTimer = setInterval(() => this.closeDue(), tickMs)
    this.tickTimer.unref()
    // Thin at start too: a server restarted often may never see an hour pass.
    this.thinTimer = setTimeout(() => {
      void this.thinAll()
      this.thinTimer = setInterval(() => void this.thinAll(), HOUR)
      this.thinTimer.unref()
    }, 1000)
    this.thinTimer.unref()
  }

  private now(): number {
    return (this.deps.now ?? Date.now)()
  }

  /** A board's changes were committed: its session opens or goes on. */
  changed(boardId: string): void {
    const now = this.now()
    const session = this.open.get(boardId)
    if (session) session.lastChangeAt = now
    else this.open.set(boardId, { startedAt: now, lastChangeAt: now })
  }

  /** Closes the board's open session before its log is folded. */
  async beforeCompaction(boardId: string): Promise<void> {
    if (this.open.has(boardId)) await this.checkpoint(boardId)
  }

  /** Closes every open session (a clean stop). */
  async closeAll(): Promise<void> {
    clearInterval(this.tickTimer)
    clearTimeout(this.thinTimer)
    await Promise.all([...this.open.keys()].map((boardId) => this.checkpoint(boardId)))
    await Promise.all(this.writing.values())
  }

  /** Names the board's current committed state (always a new version). */
  async name(boardId: string, name: string, userId: string): Promise<BoardVersion> {
    return this.write(boardId, { name, auto: false, createdBy: userId })
  }

  private closeDue(): void {
    const now = this.now()
    const { quietMs, maxMs } = this.deps.timing
    for (const [boardId, session] of this.open) {
      if (now - session.lastChangeAt >= quietMs || now - session.startedAt >= maxMs)
        void this.checkpoint(boardId)
    }
  }

  /** One automatic checkpoint of a board; concurrent calls share it. */
  private checkpoint(boardId: string): Promise<void> {
    const running = this.writing.get(boardId)
    if (running) return running
    // Changes committed from here on open a new session (this one may or may not hold them).
    this.open.delete(boardId)
    const done = this.write(boardId, { name: null, auto: true, createdBy: null })
      .then(() => this.thin(boardId))
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, boardId }, 'checkpoint failed')
        this.changed(boardId) // try again later
      })
      .finally(() => this.writing.delete(boardId))
    this.writing.set(boardId, done)
    return done
  }

  private async write(
    boardId: string,
    meta: { name: string | null; auto: boolean; createdBy: string | null },
  ): Promise<BoardVersion> {
    const createdAt = this.now()
    const state = await committedState(this.deps.source, boardId)
    return this.deps.versions.add({
      id: newId(),
      boardId,
      ...meta,
      createdAt,
      state,
      stateVector: Y.encodeStateVectorFromUpdate(state),
    })
  }

  private async thin(boardId: string): Promise<void> {
    const automatic = await this.deps.versions.automatic(boardId)
    const drop = checkpointsToDrop(automatic, this.now(), this.deps.retention)
    await this.deps.versions.remove(drop)
  }

  private async thinAll(): Promise<void> {
    try {
      const due = await this.deps.versions.boardsWithAutomaticBefore(this.now() - 24 * HOUR)
      for (const boardId of due) await this.thin(boardId)
    } catch (error) {
      this.deps.log.error({ err: error }, 'thinning checkpoints failed')
    }
  }
}
