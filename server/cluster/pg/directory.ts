/**
 * The directory in PostgreSQL (storage/directory-repo.ts): users, workspaces, members and
 * boards. A board's row is also its document's fence (owner_epoch, update_seq; see
 * doc-store.ts), created here with epoch 0 so the first takeover makes it 1. Text orders use
 * byte order (COLLATE "C") and names fold case, as SQLite's BINARY and NOCASE do, so lists
 * come out alike whatever the database's locale.
 */
import type { Board, DirectoryRepo, Role, User, Workspace } from '../../storage/directory-repo.ts'
import { atomically, type PgPool, type Tx } from './pool.ts'
import {
  toBoard,
  toWorkspace,
  BOARD_COLUMNS,
  type BoardRow,
  type WorkspaceRow,
} from '../../storage/rows.ts'

const WORKSPACE = 'w.id, w.name, w.created_by, w.created_at'

export class PgDirectory implements DirectoryRepo {
  /** Over a pool, or over a caller's transaction to take part in it (`new PgDirectory(tx)`). */
  constructor(private readonly db: PgPool | Tx) {}

  /**
   * Inside a transaction: holds the workspace's row until it ends, so a rule checked in it (a
   * workspace keeps an owner) cannot race another node's membership change. SQLite needs no
   * such lock: its writers run one at a time.
   */
  async lockWorkspace(workspaceId: string): Promise<void> {
    await this.db.query('SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId])
  }

  async user(id: string): Promise<User | undefined> {
    const { rows } = await this.db.query<User>('SELECT id, name, color FROM users WHERE id = $1', [
      id,
    ])
    return rows[0]
  }

  /** Creates the user if missing; two nodes doing it at once both get the one stored. */
  async ensureUser(user: User): Promise<User> {
    await this.db.query(
      `INSERT INTO users (id, name, color, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [user.id, user.name, user.color, Date.now()],
    )
    return (await this.user(user.id)) as User
  }

  async createWorkspace(workspace: Workspace): Promise<Workspace> {
    await atomically(this.db, async (tx) => {
      await tx.query(
        'INSERT INTO workspaces (id, name, created_by, created_at) VALUES ($1, $2, $3, $4)',
        [workspace.id, workspace.name, workspace.createdBy, workspace.createdAt],
      )
      await tx.query(
        `INSERT INTO members (workspace_id, user_id, role, joined_at) VALUES ($1, $2, 'owner', $3)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
        [workspace.id, workspace.createdBy, workspace.createdAt],
      )
    })
    return workspace
  }

  async workspace(id: string): Promise<Workspace | undefined> {
    const { rows } = await this.db.query<WorkspaceRow>(
      `SELECT ${WORKSPACE} FROM workspaces w WHERE w.id = $1`,
      [id],
    )
    return rows[0] && toWorkspace(rows[0])
  }

  async allWorkspaces(): Promise<Workspace[]> {
    const { rows } = await this.db.query<WorkspaceRow>(
      `SELECT ${WORKSPACE} FROM workspaces w ORDER BY w.created_at, w.id COLLATE "C"`,
    )
    return rows.map(toWorkspace)
  }

  async workspacesOf(userId: string): Promise<Array<Workspace & { role: Role }>> {
    const { rows } = await this.db.query<WorkspaceRow & { role: Role }>(
      `SELECT ${WORKSPACE}, m.role FROM workspaces w JOIN members m ON m.workspace_id = w.id
       WHERE m.user_id = $1 ORDER BY w.created_at, w.id COLLATE "C"`,
      [userId],
    )
    return rows.map((row) => ({ ...toWorkspace(row), role: row.role }))
  }

  async members(workspaceId: string): Promise<Array<User & { role: Role; joinedAt: number }>> {
    const { rows } = await this.db.query<User & { role: Role; joined_at: number }>(
      `SELECT u.id, u.name, u.color, m.role, m.joined_at FROM members m
       JOIN users u ON u.id = m.user_id
       WHERE m.workspace_id = $1 ORDER BY m.joined_at, lower(u.name) COLLATE "C"`,
      [workspaceId],
    )
    return rows.map(({ joined_at, ...member }) => ({ ...member, joinedAt: joined_at }))
  }

  async setMember(workspaceId: string, userId: string, role: Role): Promise<void> {
    await this.db.query(
      `INSERT INTO members (workspace_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
      [workspaceId, userId, role, Date.now()],
    )
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM members WHERE workspace_id = $1 AND user_id = $2',
      [workspaceId, userId],
    )
    return (rowCount ?? 0) > 0
  }

  async ownerCount(workspaceId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM members WHERE workspace_id = $1 AND role = 'owner'",
      [workspaceId],
    )
    return rows[0]?.n ?? 0
  }

  async roleIn(workspaceId: string, userId: string): Promise<Role | undefined> {
    const { rows } = await this.db.query<{ role: Role }>(
      'SELECT role FROM members WHERE workspace_id = $1 AND user_id = $2',
      [workspaceId, userId],
    )
    return rows[0]?.role
  }

  async createBoard(board: Omit<Board, 'updatedAt' | 'archivedAt'>): Promise<Board> {
    await this.db.query(
      `INSERT INTO boards (id, workspace_id, title, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [board.id, board.workspaceId, board.title, board.createdBy, board.createdAt],
    )
    return { ...board, updatedAt: board.createdAt, archivedAt: null }
  }

  async board(id: string): Promise<Board | undefined> {
    const { rows } = await this.db.query<BoardRow>(
      `SELECT ${BOARD_COLUMNS} FROM boards WHERE id = $1`,
      [id],
    )
    return rows[0] && toBoard(rows[0])
  }

  async boardsOf(workspaceId: string, includeArchived = false): Promise<Board[]> {
    const { rows } = await this.db.query<BoardRow>(
      `SELECT ${BOARD_COLUMNS} FROM boards WHERE workspace_id = $1 AND (archived_at IS NULL OR $2)
       ORDER BY created_at, id COLLATE "C"`,
      [workspaceId, includeArchived],
    )
    return rows.map(toBoard)
  }

  async renameBoard(id: string, title: string): Promise<void> {
    await this.db.query('UPDATE boards SET title = $1, updated_at = $2 WHERE id = $3', [
      title,
      Date.now(),
      id,
    ])
  }

  async archiveBoard(id: string): Promise<boolean> {
    const now = Date.now()
    const { rowCount } = await this.db.query(
      `UPDATE boards SET archived_at = $1, updated_at = $1 WHERE id = $2 AND archived_at IS NULL`,
      [now, id],
    )
    return (rowCount ?? 0) > 0
  }

  async unarchiveBoard(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE boards SET archived_at = NULL, updated_at = $1 WHERE id = $2 AND archived_at IS NOT NULL`,
      [Date.now(), id],
    )
    return (rowCount ?? 0) > 0
  }
}
