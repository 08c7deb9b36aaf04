/**
 * The server process entry: checks the Node version, reads the environment (through
 * `loadConfig`, as the admin CLI does), listens, and handles signals. `npm start` runs this
 * after building the web client if it is missing.
 */
import { fileURLToPath } from 'node:url'
import { nodeVersionProblem, requiredNode } from '../scripts/node-version.mjs'
import { ConfigError, loadConfig } from './config.ts'

// Before the server's modules load (they are imported below, once the version is known good).
const versionProblem = nodeVersionProblem(process.version, requiredNode())
if (versionProblem) {
  console.error(versionProblem)
  process.exit(1)
}

const clientDir = fileURLToPath(new URL('../client/dist', import.meta.url))

let config
try {
  config = loadConfig(process.env, clientDir)
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(2)
  }
  throw error
}

const { createLoupeServer } = await import('./server.ts')
const { createLogger } = await import('./log.ts')
const log = createLogger(config.logLevel)
// Cluster mode's drivers (pg, ioredis) load only here, only when it is configured.
let backend
if (config.cluster) {
  const { ClusterBackend } = await import('./cluster/cluster-backend.ts')
  try {
    backend = await ClusterBackend.open(config, log)
  } catch (error) {
    log.fatal({ err: error }, 'could not join the cluster (PostgreSQL or Redis)')
    process.exit(1)
  }
}
const server = createLoupeServer(config, { log, ...(backend ? { backend } : {}) })

let stopping = false
async function stop(signal: string) {
  if (stopping) {
    server.log.warn({ signal }, 'second signal: exiting now')
    process.exit(1)
  }
  stopping = true
  server.log.info({ signal }, 'stopping')
  // Not unref'd: a stop that hangs must end in exit 1, never in a quiet exit 0 once the
  // event loop runs dry with the data not yet flushed.
  setTimeout(() => {
    server.log.error('graceful stop took too long; exiting')
    process.exit(1)
  }, 10_000)
  await server.close()
  process.exit(0)
}

process.on('SIGTERM', () => void stop('SIGTERM'))
process.on('SIGINT', () => void stop('SIGINT'))

try {
  await server.listen()
} catch (error) {
  server.log.fatal({ err: error }, 'could not listen')
  process.exit(1)
}
// The start-up warm-up grew V8's young generation; at rest it is given back (heap-at-rest.ts).
const { keepHeapSmallAtRest } = await import('./heap-at-rest.ts')
keepHeapSmallAtRest()
