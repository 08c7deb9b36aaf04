/**
 * A board's history (docs/product.md, "History"): its versions, naming the current state, a
 * version's state, and restoring from one. Reading a version never touches the live board;
 * restoring is a change the server makes on the live board through the room's own
 * commit-then-relay path, so every client gets it live and later work by others is kept.
 */
import type { BoardVersion, RestoreResponse } from '../../shared/api.ts'
import { ErrorCode } from '../../shared/protocol/errors.ts'
import { entityRef, type EntityRef, type LockHolder } from '../../shared/protocol/locks.ts'
import { board as boardDoc, type EntityType } from '../../shared/schema/board.ts'
import { LoupeError, notFound } from '../errors.ts'
import type { AuditRepo } from '../storage/audit-repo.ts'
import type { Board, DirectoryRepo, User } from '../storage/directory-repo.ts'
import type { EventBus } from '../events/bus.ts'
import type { RoomManager } from '../realtime/rooms.ts'
import type { Checkpoints } from './checkpoints.ts'
import { docFromState } from './committed.ts'
import { hasEntity, restoreBoard, restoreEntity } from './restore.ts'
import type { VersionRepo } from '../storage/history-repo.ts'

export interface HistoryDeps {
  versions: VersionRepo
  checkpoints: Checkpoints
  rooms: RoomManager
  directory: DirectoryRepo
  bus: EventBus
  audit: AuditRepo
  /**
   * Entity locks of the board held by others than the user (a restore must not break one), as
   * the lock service knows them now (cluster mode: from Redis, wherever the board runs).
   */
  lockedByOthers(
    boardId: string,
    userId: string,
  ): Promise<ReadonlyMap<EntityRef, LockHolder> | null> | ReadonlyMap<EntityRef, LockHolder> | null
}

export interface RestoreTarget {
  entityType: EntityType
  entityId: string
}

export class BoardHistory {
  constructor(private readonly deps: HistoryDeps) {}

  list(boardId: string): Promise<BoardVersion[]> {
    return this.deps.versions.list(boardId)
  }

  async name(user: User, board: Board, name: string): Promise<BoardVersion> {
    const version = await this.deps.checkpoints.name(board.id, name, user.id)
    const about = { actor: user, workspaceId: board.workspaceId, boardId: board.id }
    await this.deps.bus.emit('version.named', { ...about, data: { versionId: version.id, name } })
    await this.deps.audit.record({
      action: 'board.version_named',
      ...about,
      target: board.id,
      data: { versionId: version.id, name },
    })
    return version
  }

  /** The version's state as one Yjs update (v1). */
  async state(boardId: string, versionId: string): Promise<Uint8Array> {
    const state = await this.deps.versions.state(boardId, versionId)
    if (!state) throw notFound('no such version')
    return state
  }

  async restore(
    user: User,
    board: Board,
    versionId: string,
    target: RestoreTarget | null,
  ): Promise<RestoreResponse['restored']> {
    const version = await this.deps.versions.get(board.id, versionId)
    if (!version) throw notFound('no such version')
    await this.refuseLocked(user, board.id, target)
    // Building the version's document is Yjs work on the event loop, as large as the board;
    // for very large boards this is the step to move to a worker.
    const past = docFromState(await this.state(board.id, versionId))
    let changed = false
    let title: unknown
    try {
      if (target && !hasEntity(past, target.entityType, target.entityId))
        throw notFound(`${target.entityType} ${target.entityId} is not in that version`)
      await this.deps.rooms.change(board.id, (room) => {
        const live = room.doc
        const noteChange = () => (changed = true)
        live.on('update', noteChange)
        try {
          room.transactAsServer((doc) =>
            target
              ? restoreEntity(doc, past, target.entityType, target.entityId)
              : restoreBoard(doc, past),
          )
        } finally {
          live.off('update', noteChange)
        }
        title = boardDoc(live).meta.get('title')
      })
    } finally {
      past.destroy()
    }
    const about = { actor: user, workspaceId: board.workspaceId, boardId: board.id }
    // A whole-board restore may bring an older title back: the listing follows the document.
    if (typeof title === 'string' && title !== board.title && title.trim() !== '') {
      await this.deps.directory.renameBoard(board.id, title)
      await this.deps.bus.emit('board.renamed', { ...about, data: { boardId: board.id, title } })
    }
    const restored = {
      versionId,
      entityType: target?.entityType ?? null,
      entityId: target?.entityId ?? null,
      changed,
    }
    await this.deps.bus.emit('version.restored', {
      ...about,
      data: {
        versionId,
        name: version.name ?? null,
        versionCreatedAt: version.createdAt,
        entityType: restored.entityType,
        entityId: restored.entityId,
      },
    })
    await this.deps.audit.record({
      action: 'board.restored',
      ...about,
      target: board.id,
      data: restored,
    })
    return restored
  }

  /** A restore writes like an edit, so it stops where an edit would: at another's lock. */
  private async refuseLocked(
    user: User,
    boardId: string,
    target: RestoreTarget | null,
  ): Promise<void> {
    const locked = await this.deps.lockedByOthers(boardId, user.id)
    if (!locked || locked.size === 0) return
    const refs = target ? [entityRef(target.entityType, target.entityId)] : [...locked.keys()]
    for (const ref of refs) {
      const holder = locked.get(ref)
      if (holder)
        throw new LoupeError(ErrorCode.locked, `${ref} is locked by ${holder.name}`, {
          key: `${boardId}/${ref}`,
          holder,
        })
    }
  }
}
