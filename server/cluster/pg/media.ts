/**
 * Media metadata in PostgreSQL (storage/media-repo.ts). Two nodes recording the same upload at
 * once both succeed and leave one row: `ON CONFLICT DO NOTHING`, as SQLite's INSERT OR IGNORE.
 */
import type { MediaInfo, MediaRepo } from '../../storage/media-repo.ts'
import { atomically, type PgPool, type Tx } from './pool.ts'

export class PgMedia implements MediaRepo {
  /** Over a pool, or over a caller's transaction to take part in it. */
  constructor(private readonly db: PgPool | Tx) {}

  async record(info: MediaInfo, owner: { userId: string; workspaceId: string }): Promise<void> {
    await atomically(this.db, async (tx) => {
      await tx.query(
        `INSERT INTO media (hash, mime, kind, bytes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING`,
        [info.hash, info.mime, info.kind, info.bytes, owner.userId, Date.now()],
      )
      await tx.query(
        `INSERT INTO media_workspaces (hash, workspace_id) VALUES ($1, $2)
         ON CONFLICT (hash, workspace_id) DO NOTHING`,
        [info.hash, owner.workspaceId],
      )
    })
  }

  async get(hash: string): Promise<MediaInfo | undefined> {
    const { rows } = await this.db.query<MediaInfo>(
      'SELECT hash, mime, kind, bytes FROM media WHERE hash = $1',
      [hash],
    )
    return rows[0]
  }

  async workspacesOf(hash: string): Promise<string[]> {
    const { rows } = await this.db.query<{ workspace_id: string }>(
      'SELECT workspace_id FROM media_workspaces WHERE hash = $1 ORDER BY workspace_id COLLATE "C"',
      [hash],
    )
    return rows.map((row) => row.workspace_id)
  }
}
