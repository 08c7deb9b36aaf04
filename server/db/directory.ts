/**
 * The directory: users, workspaces, their members and boards. One repository for the table
 * group, statements prepared once.
 */
import type { BoardSummary, WorkspaceSummary } from '../../shared/api.ts'
import type { PublicUser } from '../../shared/protocol/presence.ts'
import type { Role } from '../../shared/roles.ts'
import type { Db } from './open.ts'
import { toBoard, toWorkspace, type BoardRow, type WorkspaceRow } from '../storage/rows.ts'

export type { Role }

/** A user as the rest of the server and every client see them. */
export type User = PublicUser

export type Workspace = WorkspaceSummary

/** A board's listing row, as the API answers it. */
export type Board = BoardSummary

/** How many boards the directory keeps in memory (about 300 bytes each). */
const CACHED_BOARDS = 1000

export class Directory {
  private readonly stmts
  /**
   * The boards read last. A board is read on every lock request and every document socket,
   * and changes rarely, and only here (rename, archive, unarchive): a change forgets it. A
   * board read in a transaction that changed a board is not kept, since that transaction may
   * still roll back; a read outside any transaction clears that doubt.
   */
  private readonly boards = new Map<string, Board>()
  private changedInTransaction = false

  constructor(private readonly db: Db) {
    this.stmts = {
      userById: db.prepare<[string], User>('SELECT id, name, color FROM users WHERE id = ?'),
      insertUser: db.prepare<[string, string, string, number]>(
        'INSERT INTO users (id, name, color, created_at) VALUES (?, ?, ?, ?)',
      ),
      insertWorkspace: db.prepare<[string, string, string, number]>(
        'INSERT INTO workspaces (id, name, created_by, created_at) VALUES (?, ?, ?, ?)',
      ),
      workspace: db.prepare<[string], WorkspaceRow>('SELECT * FROM workspaces WHERE id = ?'),
      allWorkspaces: db.prepare<[], WorkspaceRow>(
        'SELECT * FROM workspaces ORDER BY created_at, id',
      ),
      workspacesOf: db.prepare<[string], WorkspaceRow & { role: Role }>(
        `SELECT w.*, m.role FROM workspaces w JOIN members m ON m.workspace_id = w.id
         WHERE m.user_id = ? ORDER BY w.created_at, w.id`,
      ),
      upsertMember: db.prepare<[string, string, Role, number]>(
        `INSERT INTO members (workspace_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
      ),
      members: db.prepare<[string], User & { role: Role; joined_at: number }>(
        `SELECT u.id, u.name, u.color, m.role, m.joined_at FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.workspace_id = ? ORDER BY m.joined_at, u.name`,
      ),
      removeMember: db.prepare<[string, string]>(
        'DELETE FROM members WHERE workspace_id = ? AND user_id = ?',
      ),
      owners: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM members WHERE workspace_id = ? AND role = 'owner'",
      ),
      role: db.prepare<[string, string], { role: Role }>(
        'SELECT role FROM members WHERE workspace_id = ? AND user_id = ?',
      ),
      insertBoard: db.prepare<[string, string, string, string, number, number]>(
        `INSERT INTO boards (id, workspace_id, title, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      board: db.prepare<[string], BoardRow>('SELECT * FROM boards WHERE id = ?'),
      boardsOf: db.prepare<[string, number], BoardRow>(
        `SELECT * FROM boards WHERE workspace_id = ? AND (archived_at IS NULL OR ?)
         ORDER BY created_at, id`,
      ),
      renameBoard: db.prepare<[string, number, string]>(
        'UPDATE boards SET title = ?, updated_at = ? WHERE id = ?',
      ),
      archiveBoard: db.prepare<[number, number, string]>(
        'UPDATE boards SET archived_at = ?, updated_at = ? WHERE id = ? AND archived_at IS NULL',
      ),
      unarchiveBoard: db.prepare<[number, string]>(
        'UPDATE boards SET archived_at = NULL, updated_at = ? WHERE id = ? AND archived_at IS NOT NULL',
      ),
    }
  }

  /**
   * Holds the workspace's row until the transaction ends, so a rule checked in it (a
   * workspace keeps an owner) cannot race another writer. Nothing to do here: SQLite's
   * writers run one at a time (PostgreSQL locks the row).
   */
  lockWorkspace(_workspaceId: string): void {}

  user(id: string): User | undefined {
    return this.stmts.userById.get(id)
  }

  /** Creates the user if missing (the local owner in home mode). */
  ensureUser(user: User): User {
    const existing = this.user(user.id)
    if (existing) return existing
    this.stmts.insertUser.run(user.id, user.name, user.color, Date.now())
    return user
  }

  createWorkspace(workspace: Workspace): Workspace {
    this.stmts.insertWorkspace.run(
      workspace.id,
      workspace.name,
      workspace.createdBy,
      workspace.createdAt,
    )
    this.stmts.upsertMember.run(workspace.id, workspace.createdBy, 'owner', workspace.createdAt)
    return workspace
  }

  workspace(id: string): Workspace | undefined {
    const row = this.stmts.workspace.get(id)
    return row && toWorkspace(row)
  }

  allWorkspaces(): Workspace[] {
    return this.stmts.allWorkspaces.all().map(toWorkspace)
  }

  workspacesOf(userId: string): Array<Workspace & { role: Role }> {
    return this.stmts.workspacesOf
      .all(userId)
      .map((row) => ({ ...toWorkspace(row), role: row.role }))
  }

  members(workspaceId: string): Array<User & { role: Role; joinedAt: number }> {
    return this.stmts.members
      .all(workspaceId)
      .map(({ joined_at, ...member }) => ({ ...member, joinedAt: joined_at }))
  }

  /** Adds a member or changes their role. */
  setMember(workspaceId: string, userId: string, role: Role): void {
    this.stmts.upsertMember.run(workspaceId, userId, role, Date.now())
  }

  removeMember(workspaceId: string, userId: string): boolean {
    return this.stmts.removeMember.run(workspaceId, userId).changes > 0
  }

  ownerCount(workspaceId: string): number {
    return this.stmts.owners.get(workspaceId)?.n ?? 0
  }

  roleIn(workspaceId: string, userId: string): Role | undefined {
    return this.stmts.role.get(workspaceId, userId)?.role
  }

  createBoard(board: Omit<Board, 'updatedAt' | 'archivedAt'>): Board {
    this.changing(board.id)
    this.stmts.insertBoard.run(
      board.id,
      board.workspaceId,
      board.title,
      board.createdBy,
      board.createdAt,
      board.createdAt,
    )
    return { ...board, updatedAt: board.createdAt, archivedAt: null }
  }

  board(id: string): Board | undefined {
    if (!this.db.inTransaction) this.changedInTransaction = false
    const cached = this.boards.get(id)
    if (cached) return cached
    const row = this.stmts.board.get(id)
    if (!row) return undefined
    const board = Object.freeze(toBoard(row))
    if (!this.changedInTransaction) {
      if (this.boards.size >= CACHED_BOARDS) this.boards.delete(this.boards.keys().next().value!)
      this.boards.set(id, board)
    }
    return board
  }

  private changing(id: string): void {
    this.boards.delete(id)
    if (this.db.inTransaction) this.changedInTransaction = true
  }

  boardsOf(workspaceId: string, includeArchived = false): Board[] {
    return this.stmts.boardsOf.all(workspaceId, includeArchived ? 1 : 0).map(toBoard)
  }

  renameBoard(id: string, title: string): void {
    this.changing(id)
    this.stmts.renameBoard.run(title, Date.now(), id)
  }

  archiveBoard(id: string): boolean {
    this.changing(id)
    const now = Date.now()
    return this.stmts.archiveBoard.run(now, now, id).changes > 0
  }

  /** Brings an archived board back (an owner's undo); false when it was not archived. */
  unarchiveBoard(id: string): boolean {
    this.changing(id)
    return this.stmts.unarchiveBoard.run(Date.now(), id).changes > 0
  }
}
