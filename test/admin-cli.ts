/**
 * The admin CLI (`npm run admin -- ...`) as the operator of a test server's deployment runs
 * it: the real CLI as a child process (for its exit codes), or `runAdmin` in process, each
 * given the deployment's environment — its data folder, and when the test server is a cluster
 * node (LOUPE_TEST_CLUSTER) the cluster's PostgreSQL, Redis and key prefix, as on the nodes.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultConfig, type Config } from '../server/config.ts'
import { afterTest, tempDir } from './harness.ts'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `node --import tsx server/admin.ts <args>` with `env` over the test's environment. */
export async function adminCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout, stderr }
}

/** What admin commands need to know of a deployment: a TestServer's config. */
interface Deployment {
  config: Config
}

/** The environment an operator runs the CLI with on `deployment` (plus `extra`). */
export function adminEnv(
  deployment: Deployment,
  extra: Record<string, string> = {},
): Record<string, string> {
  const { dataDir, cluster, mediaDir, auth, jwtSecret } = deployment.config
  // A node with auth on is given the cluster's signing secret (config.ts requires it); a test
  // node keeps it in its data folder's file, as a single server does.
  const secretFile = join(dataDir, 'jwt-secret')
  const secret =
    jwtSecret ?? (existsSync(secretFile) ? readFileSync(secretFile, 'utf8').trim() : undefined)
  return {
    LOUPE_DATA_DIR: dataDir,
    ...(cluster
      ? {
          LOUPE_DATABASE_URL: cluster.databaseUrl,
          LOUPE_REDIS_URL: cluster.redisUrl,
          LOUPE_REDIS_PREFIX: cluster.redisPrefix,
          LOUPE_AUTH: auth ? 'on' : 'off',
          ...(auth && secret ? { LOUPE_JWT_SECRET: secret } : {}),
        }
      : {}),
    ...(mediaDir ? { LOUPE_MEDIA_DIR: mediaDir } : {}),
    ...extra,
  }
}

/** The config `runAdmin` reads on `deployment`, as loadConfig would from adminEnv. */
export function adminConfig(deployment: Deployment, overrides: Partial<Config> = {}): Config {
  const { dataDir, cluster, mediaDir } = deployment.config
  return defaultConfig({ dataDir, cluster, mediaDir, ...overrides })
}

/**
 * `restore <archive>` into a new deployment of the kind the suite runs: a missing data folder
 * on one machine; under LOUPE_TEST_CLUSTER a new, empty cluster made for a new data folder,
 * which a server started on that folder then joins. Returns the CLI's result and the folder.
 */
export async function restoreIntoNew(archive: string): Promise<CliResult & { dataDir: string }> {
  const mode = process.env.LOUPE_TEST_CLUSTER
  if (mode !== '1' && mode !== '2') {
    const dataDir = join(tempDir(), 'restored')
    return { ...(await adminCli(['restore', archive], { LOUPE_DATA_DIR: dataDir })), dataDir }
  }
  const dataDir = tempDir()
  const { clusterFor } = await import('./cluster/test-node.ts')
  const made = await clusterFor(dataDir)
  afterTest(() => made.drop())
  const env = adminEnv({ config: defaultConfig({ dataDir, cluster: made.cluster, auth: false }) })
  return { ...(await adminCli(['restore', archive], env)), dataDir }
}
