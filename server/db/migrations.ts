/**
 * Numbered, forward-only migrations. Each runs in one transaction together with the bump of
 * `PRAGMA user_version`, so a half-applied step is impossible. Never edit a step that has
 * shipped; add the next one.
 */
import type { Database } from 'better-sqlite3'

export const migrations: readonly string[] = [
  // 1: users, workspaces, boards and the board document log.
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    color TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
  );
  CREATE TABLE members (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
  );
  CREATE INDEX members_by_user ON members(user_id);
  CREATE TABLE boards (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    title TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    archived_at INTEGER
  );
  CREATE INDEX boards_by_workspace ON boards(workspace_id, created_at);
  -- The folded state of a board: every update with seq <= upto_seq is merged in.
  CREATE TABLE doc_snapshots (
    board_id TEXT PRIMARY KEY,
    state BLOB NOT NULL,
    state_vector BLOB NOT NULL,
    upto_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Updates accepted since the snapshot, in commit order.
  CREATE TABLE doc_updates (
    board_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    user_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (board_id, seq)
  ) WITHOUT ROWID;
  `,
  // 2: accounts: rotating refresh tokens (stored hashed) and invite links.
  `
  CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);
  CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family);
  CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER
  );
  CREATE INDEX invites_by_workspace ON invites(workspace_id);
  `,
  // 3: the durable event log, notifications and the audit log.
  `
  -- One row per stream: its epoch (changes only if the log is ever reset), its last
  -- sequence, and the oldest sequence still kept (retention moves it forward).
  CREATE TABLE event_streams (
    stream TEXT PRIMARY KEY,
    epoch TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    first_seq INTEGER NOT NULL
  );
  CREATE TABLE events (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    ts INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    board_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
  ) WITHOUT ROWID;
  CREATE INDEX events_by_ts ON events(ts);
  CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    board_id TEXT,
    thread_id TEXT,
    comment_id TEXT,
    task_id TEXT,
    data TEXT,
    count INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    read_at INTEGER
  );
  CREATE INDEX notifications_by_user ON notifications(user_id, read_at, updated_at);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT,
    ts INTEGER NOT NULL,
    actor_id TEXT,
    actor_name TEXT,
    action TEXT NOT NULL,
    target TEXT,
    data TEXT
  );
  CREATE INDEX audit_by_workspace ON audit(workspace_id, id);
  `,
  // 4: entity locks. The fencing counter of a key outlives its locks, so tokens only grow.
  `
  CREATE TABLE lock_fences (
    key TEXT PRIMARY KEY,
    last_token INTEGER NOT NULL
  );
  CREATE TABLE locks (
    key TEXT PRIMARY KEY,
    board_id TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    session_id TEXT,
    fencing_token INTEGER NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ttl_ms INTEGER NOT NULL
  );
  CREATE INDEX locks_by_board ON locks(board_id);
  CREATE TABLE lock_waiters (
    key TEXT NOT NULL,
    position INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    session_id TEXT,
    ttl_ms INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (key, position)
  );
  `,
  // 5: uploaded media, content-addressed: one file per sha256, visible to the workspaces it
  // was uploaded into.
  `
  CREATE TABLE media (
    hash TEXT PRIMARY KEY,
    mime TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
    bytes INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE media_workspaces (
    hash TEXT NOT NULL REFERENCES media(hash),
    workspace_id TEXT NOT NULL,
    PRIMARY KEY (hash, workspace_id)
  ) WITHOUT ROWID;
  `,
  // 6: a user's sessions end together (a password reset): access tokens carry the epoch they
  // were issued in, and a bump makes every earlier one invalid at once.
  `
  ALTER TABLE users ADD COLUMN token_epoch INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: a scratch table for the storage probe (storage/store-health.ts): a write that needs a
  // fresh page, so it fails exactly when a commit would.
  `
  CREATE TABLE store_probe (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
  `,
  // History, "since your last visit" and search (docs/operations.md, "History" and "Search").
  // A version holds a whole committed state: compaction deletes update rows, so history
  // cannot be rebuilt from the log. Search rows are the text of each entity field, with an
  // FTS5 index kept in step by triggers; search_boards says which state each board's rows are of.
  `
  CREATE TABLE doc_versions (
    id TEXT PRIMARY KEY,
    board_id TEXT NOT NULL,
    name TEXT,
    auto INTEGER NOT NULL CHECK (auto IN (0, 1)),
    created_at INTEGER NOT NULL,
    created_by TEXT,
    encoding TEXT NOT NULL,
    state BLOB NOT NULL,
    state_vector BLOB NOT NULL
  );
  CREATE INDEX doc_versions_by_board ON doc_versions(board_id, created_at);
  CREATE TABLE board_visits (
    user_id TEXT NOT NULL,
    board_id TEXT NOT NULL,
    snapshot BLOB NOT NULL,
    ended_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, board_id)
  ) WITHOUT ROWID;
  CREATE TABLE doc_clients (
    board_id TEXT NOT NULL,
    client_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (board_id, client_id)
  ) WITHOUT ROWID;
  CREATE TABLE search_rows (
    id INTEGER PRIMARY KEY,
    board_id TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    text TEXT NOT NULL
  );
  CREATE UNIQUE INDEX search_rows_by_key ON search_rows(board_id, entity_type, entity_id, field);
  CREATE VIRTUAL TABLE search_text USING fts5(
    text, content = 'search_rows', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
  );
  CREATE TRIGGER search_rows_inserted AFTER INSERT ON search_rows BEGIN
    INSERT INTO search_text (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER search_rows_deleted AFTER DELETE ON search_rows BEGIN
    INSERT INTO search_text (search_text, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TRIGGER search_rows_updated AFTER UPDATE ON search_rows BEGIN
    INSERT INTO search_text (search_text, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO search_text (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TABLE search_boards (
    board_id TEXT PRIMARY KEY,
    state_vector BLOB NOT NULL,
    indexed_at INTEGER NOT NULL
  );
  `,
  // The reviewer role (comment only), and share links: a link lets outsiders join one board as
  // guests (reviewer or viewer). SQLite cannot change a CHECK constraint in place, so the two
  // role tables are rebuilt; nothing references them. Tokens and passwords are stored hashed.
  `
  CREATE TABLE members_with_reviewers (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
  );
  INSERT INTO members_with_reviewers SELECT workspace_id, user_id, role, joined_at FROM members;
  DROP TABLE members;
  ALTER TABLE members_with_reviewers RENAME TO members;
  CREATE INDEX members_by_user ON members(user_id);
  CREATE TABLE invites_with_reviewers (
    id TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER
  );
  INSERT INTO invites_with_reviewers SELECT id, code_hash, workspace_id, role, created_by,
    created_at, expires_at, max_uses, uses, revoked_at FROM invites;
  DROP TABLE invites;
  ALTER TABLE invites_with_reviewers RENAME TO invites;
  CREATE INDEX invites_by_workspace ON invites(workspace_id);
  -- ended_at: when the link's guests were cut off (revoked, or found expired), so that is done once.
  CREATE TABLE share_links (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    board_id TEXT NOT NULL REFERENCES boards(id),
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'viewer')),
    password_hash TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    ended_at INTEGER
  );
  CREATE INDEX share_links_by_board ON share_links(board_id, created_at);
  CREATE TABLE link_guests (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    link_id TEXT NOT NULL REFERENCES share_links(id),
    joined_at INTEGER NOT NULL
  );
  CREATE INDEX link_guests_by_link ON link_guests(link_id);
  `,
]

export const schemaVersion = migrations.length

export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > schemaVersion) {
    throw new Error(
      `database schema version ${current} is newer than this Loupe (${schemaVersion}); upgrade Loupe`,
    )
  }
  for (let version = current; version < schemaVersion; version++) {
    db.transaction(() => {
      db.exec(migrations[version] as string)
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
