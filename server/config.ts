/**
 * Configuration, validated by one zod schema (docs/product.md, "Running it"). The environment
 * is read in one place, `loadConfig`, which the two process entries call with the process
 * environment: main.ts for the server, admin.ts for the operator commands. Tests build a
 * Config directly with `defaultConfig({...})` overrides.
 */
import { hostname } from 'node:os'
import { z } from 'zod'

const MiB = 1024 * 1024

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: 'a whole number' })
    .int({ error: 'a whole number' })
    .min(min, { error: `a whole number >= ${min}` })
    .max(max, { error: `a whole number <= ${max}` })
    .default(fallback)

const onOff = (fallback: 'on' | 'off') =>
  z.enum(['on', 'off'], { error: '"on" or "off"' }).default(fallback)

export const envSchema = z.object({
  PORT: int(8787, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOUPE_DATA_DIR: z.string().min(1).default('./data'),
  LOUPE_AUTH: onOff('on'),
  LOUPE_JWT_SECRET: z.string().min(32, { error: 'at least 32 characters' }).optional(),
  LOUPE_SETUP_CODE: z.string().min(6, { error: 'at least 6 characters' }).optional(),
  LOUPE_SYNC: z.enum(['normal', 'full'], { error: '"normal" or "full"' }).default('normal'),
  /** Cluster mode (docs/cluster.md) with LOUPE_REDIS_URL: both set, or neither. */
  LOUPE_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'a postgres:// or postgresql:// URL' })
    .optional(),
  LOUPE_REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'a redis:// or rediss:// URL' })
    .optional(),
  /** This node's name in the cluster (default host:port); unique per running process. */
  LOUPE_NODE_ID: z
    .string()
    .regex(/^[\w.:-]{1,100}$/, { error: 'letters, digits and . _ : - (at most 100)' })
    .optional(),
  /** Start of every Redis key, so several clusters (or test runs) can share one Redis. */
  LOUPE_REDIS_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, { error: 'letters, digits and . _ : - (at most 64)' })
    .default('loupe:'),
  /** A board's ownership lease: a dead owner's boards move within about this long. */
  LOUPE_LEASE_MS: int(3000, 500, 60_000),
  /** The media folder every node sees (default <LOUPE_DATA_DIR>/media). */
  LOUPE_MEDIA_DIR: z.string().min(1).optional(),
  /** Where users reach this server (invite links); defaults to the address a request came to. */
  LOUPE_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
  /**
   * Bearer token that /metrics requires when set. Unset, /metrics answers only to direct
   * requests from the machine itself (127.0.0.1 or ::1, no proxy headers).
   */
  LOUPE_METRICS_TOKEN: z.string().min(16, { error: 'at least 16 characters' }).optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  /** Largest single socket message (DESIGN: 8 MiB). */
  LOUPE_MAX_MESSAGE_BYTES: int(8 * MiB, 1024, 256 * MiB),
  /** Largest board document, as stored bytes; updates that would pass it are refused. */
  LOUPE_MAX_DOC_BYTES: int(64 * MiB, 64 * 1024),
  /** Largest awareness state of one client, in bytes of JSON. */
  LOUPE_MAX_AWARENESS_BYTES: int(8 * 1024, 256, MiB),
  /** Awareness updates a connection may apply per second; extra ones are coalesced. */
  LOUPE_AWARENESS_PER_SEC: int(30, 1),
  /** How often a room relays the awareness changes gathered since the last relay. */
  LOUPE_AWARENESS_FLUSH_MS: int(25, 0, 1000),
  /** Messages and bytes per second per connection (token buckets; bursts of 2 s allowed). */
  LOUPE_MSGS_PER_SEC: int(200, 1),
  LOUPE_BYTES_PER_SEC: int(4 * MiB, 1024),
  LOUPE_MAX_CONNECTIONS_PER_USER: int(64, 1),
  /** Outbound bytes queued for one client before it is dropped (it resyncs on reconnect). */
  LOUPE_MAX_BUFFERED_BYTES: int(32 * MiB, 64 * 1024),
  /** Document socket liveness: ping interval; a connection that misses a pong is closed. */
  LOUPE_PING_MS: int(30_000, 100),
  /** Live socket heartbeat (DESIGN: at least 100). */
  LOUPE_HEARTBEAT_MS: int(30_000, 100),
  /** Stored updates of one board before the log is folded into a snapshot. */
  LOUPE_COMPACT_AFTER_UPDATES: int(500, 1),
  /** How long a room stays in memory after its last client leaves. */
  LOUPE_ROOM_IDLE_MS: int(5_000, 0),
  /** A loaded board whose document saw no change this long keeps only its encoded state. */
  LOUPE_ROOM_HIBERNATE_MS: int(10_000, 100),
  LOUPE_MAX_UPLOAD_BYTES: int(512 * MiB, 1024),
  /**
   * Largest request body of every route but media uploads and board imports (which stream to
   * their own limits); 413 above it. The largest legitimate one, 1000 notification ids, is ~70 KB.
   */
  LOUPE_MAX_JSON_BYTES: int(MiB, 1024, 64 * MiB),
  /** Time for a request's headers to arrive in full, from its first byte (408, then closed). */
  LOUPE_HEADERS_TIMEOUT_MS: int(20_000, 100),
  /** Time for the body of a request with a bounded body (all but uploads and imports). */
  LOUPE_REQUEST_TIMEOUT_MS: int(60_000, 100),
  /** An HTTP connection with no byte moving either way this long is closed (not WebSockets). */
  LOUPE_IDLE_TIMEOUT_MS: int(60_000, 100),
  /** How long a kept-alive connection may wait for its next request. */
  LOUPE_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 100),
  LOUPE_LOGIN_ATTEMPTS: int(10, 1),
  /** Event log retention per stream: whichever of age and count is reached first. */
  LOUPE_EVENT_RETENTION_DAYS: int(30, 1),
  /** Lock time to live when a request names none, and the most a request may ask for. */
  LOUPE_LOCK_TTL_MS: int(30 * 60 * 1000, 1000),
  LOUPE_LOCK_MAX_TTL_MS: int(24 * 3600 * 1000, 1000),
  LOUPE_EVENT_RETENTION_EVENTS: int(100_000, 100),
  /**
   * History checkpoints (docs/operations.md, "History"): a board's editing closes into a
   * version after this long without a change, or after the second one of continuous editing.
   */
  LOUPE_HISTORY_QUIET_MS: int(3 * 60_000, 10),
  LOUPE_HISTORY_MAX_MS: int(10 * 60_000, 10),
  /** Automatic checkpoints older than this are deleted (named versions are kept). */
  LOUPE_HISTORY_RETENTION_DAYS: int(90, 1),
})

export type Env = z.infer<typeof envSchema>

export interface Config {
  port: number
  host: string
  dataDir: string
  auth: boolean
  jwtSecret: string | undefined
  setupCode: string | undefined
  syncMode: 'normal' | 'full'
  /** Set when this process is a node of a cluster (PostgreSQL + Redis); null on one machine. */
  cluster: ClusterConfig | null
  /** Where media files live: `<dataDir>/media` unless LOUPE_MEDIA_DIR says otherwise. */
  mediaDir: string | undefined
  publicUrl: string | undefined
  /** Bearer token for /metrics; undefined limits /metrics to loopback callers. */
  metricsToken: string | undefined
  logLevel: Env['LOG_LEVEL']
  limits: {
    maxMessageBytes: number
    maxDocBytes: number
    maxAwarenessBytes: number
    awarenessPerSecond: number
    messagesPerSecond: number
    bytesPerSecond: number
    maxConnectionsPerUser: number
    maxBufferedBytes: number
    maxUploadBytes: number
    /** Largest body of every other request (JSON); uploads and imports have their own. */
    maxJsonBytes: number
    loginAttempts: number
  }
  /** Slow clients (server/net/http-limits.ts): how long the HTTP door waits for bytes. */
  headersTimeoutMs: number
  requestTimeoutMs: number
  idleTimeoutMs: number
  keepAliveTimeoutMs: number
  pingMs: number
  heartbeatMs: number
  awarenessFlushMs: number
  compactAfterUpdates: number
  roomIdleMs: number
  roomHibernateMs: number
  eventRetention: { maxAgeMs: number; maxPerStream: number }
  history: { quietMs: number; maxMs: number; retentionMs: number }
  /** How often owners subscribed to `system` get live figures (DESIGN: 5 s). */
  systemFiguresMs: number
  /** How often the server looks for users whose tokens were ended (a password reset). */
  tokenCheckMs: number
  lockTtlMs: number
  /** A spent refresh token presented again within this window is a retry, not theft. */
  refreshReuseGraceMs: number
  lockMaxTtlMs: number
  /** Where the built web client lives; undefined serves no static files. */
  clientDir: string | undefined
}

export interface ClusterConfig {
  databaseUrl: string
  redisUrl: string
  redisPrefix: string
  nodeId: string
  leaseMs: number
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Validates an environment; each bad value is named with the form it should have. */
export function parseEnv(env: Record<string, string | undefined>): Env {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  )
  const result = envSchema.safeParse(present)
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.')
        return `${name}=${JSON.stringify(present[name] ?? '')}: expected ${issue.message}`
      }),
    )
  }
  return result.data
}

function clusterFromEnv(env: Env): ClusterConfig | null {
  const database = env.LOUPE_DATABASE_URL
  const redis = env.LOUPE_REDIS_URL
  if (!database && !redis) return null
  if (!database || !redis) {
    const [set, missing] = database
      ? ['LOUPE_DATABASE_URL', 'LOUPE_REDIS_URL']
      : ['LOUPE_REDIS_URL', 'LOUPE_DATABASE_URL']
    throw new ConfigError([
      `${set} is set but ${missing} is not: cluster mode needs both (PostgreSQL and Redis), one machine needs neither`,
    ])
  }
  if (env.LOUPE_AUTH === 'on' && !env.LOUPE_JWT_SECRET)
    throw new ConfigError([
      'cluster mode needs LOUPE_JWT_SECRET, the same on every node (a token signed by one node must be good on all)',
    ])
  return {
    databaseUrl: database,
    redisUrl: redis,
    redisPrefix: env.LOUPE_REDIS_PREFIX,
    nodeId: env.LOUPE_NODE_ID ?? `${hostname()}:${env.PORT}`,
    leaseMs: env.LOUPE_LEASE_MS,
  }
}

export function configFromEnv(env: Env, clientDir: string | undefined): Config {
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir: env.LOUPE_DATA_DIR,
    auth: env.LOUPE_AUTH === 'on',
    jwtSecret: env.LOUPE_JWT_SECRET,
    setupCode: env.LOUPE_SETUP_CODE,
    syncMode: env.LOUPE_SYNC,
    cluster: clusterFromEnv(env),
    mediaDir: env.LOUPE_MEDIA_DIR,
    publicUrl: env.LOUPE_PUBLIC_URL?.replace(/\/+$/, ''),
    metricsToken: env.LOUPE_METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
    limits: {
      maxMessageBytes: env.LOUPE_MAX_MESSAGE_BYTES,
      maxDocBytes: env.LOUPE_MAX_DOC_BYTES,
      maxAwarenessBytes: env.LOUPE_MAX_AWARENESS_BYTES,
      awarenessPerSecond: env.LOUPE_AWARENESS_PER_SEC,
      messagesPerSecond: env.LOUPE_MSGS_PER_SEC,
      bytesPerSecond: env.LOUPE_BYTES_PER_SEC,
      maxConnectionsPerUser: env.LOUPE_MAX_CONNECTIONS_PER_USER,
      maxBufferedBytes: env.LOUPE_MAX_BUFFERED_BYTES,
      maxUploadBytes: env.LOUPE_MAX_UPLOAD_BYTES,
      maxJsonBytes: env.LOUPE_MAX_JSON_BYTES,
      loginAttempts: env.LOUPE_LOGIN_ATTEMPTS,
    },
    headersTimeoutMs: env.LOUPE_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.LOUPE_REQUEST_TIMEOUT_MS,
    idleTimeoutMs: env.LOUPE_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: env.LOUPE_KEEP_ALIVE_TIMEOUT_MS,
    pingMs: env.LOUPE_PING_MS,
    heartbeatMs: env.LOUPE_HEARTBEAT_MS,
    awarenessFlushMs: env.LOUPE_AWARENESS_FLUSH_MS,
    compactAfterUpdates: env.LOUPE_COMPACT_AFTER_UPDATES,
    roomIdleMs: env.LOUPE_ROOM_IDLE_MS,
    roomHibernateMs: env.LOUPE_ROOM_HIBERNATE_MS,
    systemFiguresMs: 5000,
    tokenCheckMs: 2000,
    lockTtlMs: env.LOUPE_LOCK_TTL_MS,
    refreshReuseGraceMs: 30_000,
    lockMaxTtlMs: Math.max(env.LOUPE_LOCK_MAX_TTL_MS, env.LOUPE_LOCK_TTL_MS),
    eventRetention: {
      maxAgeMs: env.LOUPE_EVENT_RETENTION_DAYS * 24 * 3600 * 1000,
      maxPerStream: env.LOUPE_EVENT_RETENTION_EVENTS,
    },
    history: {
      quietMs: env.LOUPE_HISTORY_QUIET_MS,
      maxMs: env.LOUPE_HISTORY_MAX_MS,
      retentionMs: env.LOUPE_HISTORY_RETENTION_DAYS * 24 * 3600 * 1000,
    },
    clientDir,
  }
}

/**
 * The one entry from the process environment to a Config, shared by the server (main.ts) and
 * the admin CLI (admin.ts), so both see the same variables with the same validation. Throws
 * ConfigError naming every bad variable.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  clientDir: string | undefined = undefined,
): Config {
  return configFromEnv(parseEnv(env), clientDir)
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] }

/** A full config from defaults plus overrides (tests, admin tool). */
export function defaultConfig(overrides: DeepPartial<Config> = {}): Config {
  const base = configFromEnv(parseEnv({}), undefined)
  return { ...base, ...overrides, limits: { ...base.limits, ...overrides.limits } } as Config
}
