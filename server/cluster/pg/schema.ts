/**
 * The PostgreSQL schema of cluster mode, as numbered forward-only steps (run by
 * migrations.ts). It holds what the SQLite schema holds (db/migrations.ts), in the same
 * columns and units (ids as text, times as epoch milliseconds in bigint, so both stores map
 * rows the same way), plus what several nodes need: board ownership epochs and update
 * counters, per-stream event counters, the lock journal and fence. Never edit a step that has
 * shipped; add the next one. docs/cluster.md describes the tables.
 */

export const pgMigrations: readonly string[] = [
  // 1: people, workspaces, boards, credentials and share links. A board row is also the
  // fence of its document: owner_epoch grows at each takeover, update_seq numbers its log.
  `
  CREATE TABLE users (
    id text PRIMARY KEY,
    name text NOT NULL,
    color text NOT NULL,
    password_hash text,
    created_at bigint NOT NULL,
    disabled_at bigint,
    token_epoch bigint NOT NULL DEFAULT 0
  );
  -- SQLite's COLLATE NOCASE: a name is taken whatever its case.
  CREATE UNIQUE INDEX users_by_name ON users (lower(name));
  CREATE TABLE workspaces (
    id text PRIMARY KEY,
    name text NOT NULL,
    created_by text NOT NULL REFERENCES users(id),
    created_at bigint NOT NULL
  );
  CREATE TABLE members (
    workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
    joined_at bigint NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
  );
  CREATE INDEX members_by_user ON members (user_id);
  CREATE TABLE boards (
    id text PRIMARY KEY,
    workspace_id text NOT NULL REFERENCES workspaces(id),
    title text NOT NULL,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    archived_at bigint,
    owner_epoch bigint NOT NULL DEFAULT 0,
    owner_node text,
    update_seq bigint NOT NULL DEFAULT 0
  );
  CREATE INDEX boards_by_workspace ON boards (workspace_id, created_at);
  CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint,
    revoked_at bigint
  );
  CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
  CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
  CREATE TABLE invites (
    id text PRIMARY KEY,
    code_hash text NOT NULL UNIQUE,
    workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer', 'viewer')),
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    max_uses integer NOT NULL,
    uses integer NOT NULL DEFAULT 0,
    revoked_at bigint
  );
  CREATE INDEX invites_by_workspace ON invites (workspace_id);
  CREATE TABLE share_links (
    id text PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    board_id text NOT NULL REFERENCES boards(id),
    role text NOT NULL CHECK (role IN ('reviewer', 'viewer')),
    password_hash text,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint,
    ended_at bigint
  );
  CREATE INDEX share_links_by_board ON share_links (board_id, created_at);
  CREATE TABLE link_guests (
    user_id text PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    link_id text NOT NULL REFERENCES share_links(id),
    joined_at bigint NOT NULL
  );
  CREATE INDEX link_guests_by_link ON link_guests (link_id);
  `,
  // 2: board documents and what follows them: snapshot + update log (epoch = the owner epoch
  // that committed the row, so a zombie write would show), versions, visits, client ids.
  `
  CREATE TABLE doc_snapshots (
    board_id text PRIMARY KEY,
    state bytea NOT NULL,
    state_vector bytea NOT NULL,
    upto_seq bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE TABLE doc_updates (
    board_id text NOT NULL,
    seq bigint NOT NULL,
    data bytea NOT NULL,
    user_id text,
    epoch bigint NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (board_id, seq)
  );
  CREATE TABLE store_probe (id bigserial PRIMARY KEY, data bytea NOT NULL);
  CREATE TABLE doc_versions (
    id text PRIMARY KEY,
    board_id text NOT NULL,
    name text,
    auto boolean NOT NULL,
    created_at bigint NOT NULL,
    created_by text,
    encoding text NOT NULL,
    state bytea NOT NULL,
    state_vector bytea NOT NULL,
    -- Ties of created_at list in insertion order, as SQLite's rowid does.
    position bigserial NOT NULL
  );
  CREATE INDEX doc_versions_by_board ON doc_versions (board_id, created_at);
  CREATE TABLE board_visits (
    user_id text NOT NULL,
    board_id text NOT NULL,
    snapshot bytea NOT NULL,
    ended_at bigint NOT NULL,
    PRIMARY KEY (user_id, board_id)
  );
  CREATE TABLE doc_clients (
    board_id text NOT NULL,
    client_id bigint NOT NULL,
    user_id text NOT NULL,
    PRIMARY KEY (board_id, client_id)
  );
  `,
  // 3: events (a counter row per stream: its lock orders producers, so seq order is commit
  // order), notifications (one unread mention/reply item per user and thread, enforced by a
  // partial unique index so two nodes cannot both open one) and the audit log.
  `
  CREATE TABLE event_streams (
    stream text PRIMARY KEY,
    epoch text NOT NULL,
    last_seq bigint NOT NULL,
    first_seq bigint NOT NULL
  );
  -- data is JSON kept as text, as in SQLite: jsonb would refuse a \\u0000 a user typed.
  CREATE TABLE events (
    stream text NOT NULL,
    seq bigint NOT NULL,
    type text NOT NULL,
    ts bigint NOT NULL,
    actor_id text NOT NULL,
    actor_name text NOT NULL,
    board_id text,
    data text NOT NULL,
    PRIMARY KEY (stream, seq)
  );
  CREATE TABLE notifications (
    id text PRIMARY KEY,
    user_id text NOT NULL,
    type text NOT NULL,
    actor_id text NOT NULL,
    actor_name text NOT NULL,
    board_id text,
    thread_id text,
    comment_id text,
    task_id text,
    data text,
    count integer NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    read_at bigint
  );
  CREATE INDEX notifications_by_user ON notifications (user_id, read_at, updated_at);
  CREATE UNIQUE INDEX notifications_unread_thread ON notifications (user_id, board_id, thread_id)
    WHERE read_at IS NULL AND type IN ('mention', 'reply');
  CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    workspace_id text,
    ts bigint NOT NULL,
    actor_id text,
    actor_name text,
    action text NOT NULL,
    target text,
    data text
  );
  CREATE INDEX audit_by_workspace ON audit (workspace_id, id);
  `,
  // 4: locks. Redis holds the lock table; PostgreSQL keeps the journal it is rebuilt from and
  // judges that granted tokens only grow per key (lock_fence). A token is gen × 2^32 + a
  // per-key counter, gen taken from lock_generation whenever Redis may have lost its counters;
  // its MAXVALUE keeps every token below 2^53, an exact JSON number.
  `
  CREATE TABLE lock_journal (
    lock_key text NOT NULL,
    -- the fencing token, or the waiter's ticket for queued and dequeued
    token bigint NOT NULL,
    kind text NOT NULL CHECK (kind IN ('granted', 'renewed', 'released', 'queued', 'dequeued')),
    board_id text NOT NULL,
    holder_id text NOT NULL,
    holder_name text NOT NULL,
    session_id text,
    request_id text,
    acquired_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    ttl_ms bigint NOT NULL,
    reason text,
    at bigint NOT NULL,
    -- arrival order, which breaks ties the data leaves open
    recorded bigserial NOT NULL,
    PRIMARY KEY (lock_key, token, kind)
  );
  CREATE INDEX lock_journal_by_board ON lock_journal (board_id, at);
  CREATE TABLE lock_fence (
    lock_key text PRIMARY KEY,
    max_token bigint NOT NULL
  );
  CREATE SEQUENCE lock_generation MAXVALUE 2097151;
  CREATE TABLE redis_generations (
    gen bigint PRIMARY KEY,
    run_id text NOT NULL,
    node_id text NOT NULL,
    started_at bigint NOT NULL
  );
  `,
  // 5: media metadata (the files live in the shared LOUPE_MEDIA_DIR) and the search index: a
  // tsvector per row with a GIN index in place of SQLite's FTS5 table.
  `
  CREATE TABLE media (
    hash text PRIMARY KEY,
    mime text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('image', 'video')),
    bytes bigint NOT NULL,
    created_by text NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE TABLE media_workspaces (
    hash text NOT NULL REFERENCES media(hash),
    workspace_id text NOT NULL,
    PRIMARY KEY (hash, workspace_id)
  );
  CREATE TABLE search_rows (
    id bigserial PRIMARY KEY,
    board_id text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    field text NOT NULL,
    text text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
  );
  CREATE UNIQUE INDEX search_rows_by_key ON search_rows (board_id, entity_type, entity_id, field);
  CREATE INDEX search_rows_text ON search_rows USING gin (tsv);
  CREATE TABLE search_boards (
    board_id text PRIMARY KEY,
    state_vector bytea NOT NULL,
    indexed_at bigint NOT NULL
  );
  `,
  // 6: words as FTS5's unicode61 tokenizer sees them, every run of letters and digits:
  // PostgreSQL's parser keeps a file name or a path as one token ("sunset-over-harbour.png"),
  // so a search for "harbour" missed it (search.ts normalizes queries alike).
  `
  DROP INDEX search_rows_text;
  ALTER TABLE search_rows DROP COLUMN tsv;
  ALTER TABLE search_rows ADD COLUMN tsv tsvector GENERATED ALWAYS AS
    (to_tsvector('simple', regexp_replace(text, '[^[:alnum:]]+', ' ', 'g'))) STORED;
  CREATE INDEX search_rows_text ON search_rows USING gin (tsv);
  `,
]
