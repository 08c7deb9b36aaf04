/**
 * Test servers as cluster nodes. `LOUPE_TEST_CLUSTER=1` makes every server of the integration
 * suite a node on a fresh PostgreSQL database of its own and a private Redis shared by the
 * test file (each cluster under a key prefix of its own); cluster tests start several nodes of
 * one cluster with `startTestServer({ node: joinCluster(first) })`. Loaded by test/harness.ts
 * with import() only when needed, so single-machine runs load neither pg nor ioredis.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { ClusterConfig, Config } from '../../server/config.ts'
import { ClusterBackend } from '../../server/cluster/cluster-backend.ts'
import { createTestDatabase, testPostgres } from './postgres.ts'
import { startRedis, type PrivateRedis } from './redis.ts'

let fileRedis: Promise<PrivateRedis> | undefined

export interface TestNode {
  config: Config
  backend: ClusterBackend
  /** After the server closed: drops the cluster's database if this node made it. */
  drop(): Promise<void>
}

/** Opens a node's backend for a test server's config. */
export type NodeFactory = (config: Config, log: Logger) => Promise<TestNode>

/** The cluster of each data folder a server started on (newCluster). */
const restarts = new Map<string, ClusterConfig>()

const nodeId = () => `test-${randomBytes(4).toString('hex')}`

/**
 * The first node of a new cluster: a fresh database, and `redis` (default: the file's private
 * Redis) under a new prefix. `redisUrl` lets the node reach Redis another way (a TCP proxy).
 */
export function newCluster(
  options: {
    redis?: PrivateRedis
    redisUrl?: string
    leaseMs?: number
    /** How the node reaches the new database (a TCP proxy in front of PostgreSQL). */
    databaseUrl?: (url: string) => string
  } = {},
): NodeFactory {
  return async (config, log) => {
    // A server started again on the same data folder is the same deployment: the same
    // cluster, as a restarted node (a test of persistence across restarts).
    const before = restarts.get(config.dataDir)
    if (before && !options.redis && !options.redisUrl && !options.databaseUrl)
      return open({ ...config, cluster: { ...before, nodeId: nodeId() } }, log, async () => {})
    const postgres = await testPostgres()
    if (!postgres) throw new Error('cluster tests need PostgreSQL (npm run setup:services)')
    // One Redis per test file, stopped when the file's process exits (redis.ts's guard).
    const redis = options.redis ?? (await (fileRedis ??= startRedis()))
    const database = await createTestDatabase(postgres)
    const cluster: ClusterConfig = {
      databaseUrl: options.databaseUrl?.(database.url) ?? database.url,
      redisUrl: options.redisUrl ?? redis.url,
      redisPrefix: `t${randomBytes(4).toString('hex')}:`,
      nodeId: nodeId(),
      leaseMs: options.leaseMs ?? 3000,
    }
    restarts.set(config.dataDir, cluster)
    try {
      return await open({ ...config, cluster }, log, () => database.drop())
    } catch (error) {
      await database.drop()
      throw error
    }
  }
}

/**
 * A new cluster (a fresh database, the file's Redis under a new prefix) made ahead for a data
 * folder no server has started on: a server started on the folder is a node of it, as after a
 * restart (a restore's target). `drop()` removes its database.
 */
export async function clusterFor(
  dataDir: string,
): Promise<{ cluster: ClusterConfig; drop(): Promise<void> }> {
  const postgres = await testPostgres()
  if (!postgres) throw new Error('cluster tests need PostgreSQL (npm run setup:services)')
  const redis = await (fileRedis ??= startRedis())
  const database = await createTestDatabase(postgres)
  const cluster: ClusterConfig = {
    databaseUrl: database.url,
    redisUrl: redis.url,
    redisPrefix: `t${randomBytes(4).toString('hex')}:`,
    nodeId: nodeId(),
    leaseMs: 3000,
  }
  restarts.set(dataDir, cluster)
  return { cluster, drop: () => database.drop() }
}

/** Another node of the cluster `first` belongs to (same database, Redis and prefix). */
export function joinCluster(
  first: { config: Config },
  options: { redisUrl?: string } = {},
): NodeFactory {
  const cluster = first.config.cluster
  if (!cluster) throw new Error('joinCluster: the first server is not a cluster node')
  return (config, log) =>
    open(
      {
        ...config,
        cluster: { ...cluster, nodeId: nodeId(), redisUrl: options.redisUrl ?? cluster.redisUrl },
      },
      log,
      async () => {},
    )
}

async function open(config: Config, log: Logger, drop: () => Promise<void>): Promise<TestNode> {
  return { config, backend: await ClusterBackend.open(config, log), drop }
}
