/**
 * Media metadata: one row per stored file (named by its SHA-256), and the workspaces it was
 * uploaded into — a file is shown only to members of those (routes/media.ts). The files
 * themselves live in the media folder (media/media-store.ts).
 */
import type { Db } from './open.ts'

export type MediaKind = 'image' | 'video'

export interface MediaInfo {
  hash: string
  mime: string
  kind: MediaKind
  bytes: number
}

export class Media {
  private readonly stmts

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare<
        [hash: string, mime: string, kind: MediaKind, bytes: number, by: string, at: number]
      >(
        'INSERT OR IGNORE INTO media (hash, mime, kind, bytes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      share: db.prepare<[hash: string, workspaceId: string]>(
        'INSERT OR IGNORE INTO media_workspaces (hash, workspace_id) VALUES (?, ?)',
      ),
      get: db.prepare<[hash: string], MediaInfo>(
        'SELECT hash, mime, kind, bytes FROM media WHERE hash = ?',
      ),
      workspaces: db.prepare<[hash: string], { workspace_id: string }>(
        'SELECT workspace_id FROM media_workspaces WHERE hash = ? ORDER BY workspace_id',
      ),
    }
  }

  /**
   * Records a stored file as uploaded into `owner.workspaceId`. The same bytes uploaded again
   * keep their first row (and its uploader) and gain the workspace.
   */
  record(info: MediaInfo, owner: { userId: string; workspaceId: string }): void {
    this.stmts.insert.run(info.hash, info.mime, info.kind, info.bytes, owner.userId, Date.now())
    this.stmts.share.run(info.hash, owner.workspaceId)
  }

  get(hash: string): MediaInfo | undefined {
    return this.stmts.get.get(hash)
  }

  /** The workspaces the file was uploaded into, in id order. */
  workspacesOf(hash: string): string[] {
    return this.stmts.workspaces.all(hash).map((r) => r.workspace_id)
  }
}
