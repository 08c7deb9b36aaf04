// `npm run cluster`: three Loupe nodes and HAProxy on this machine, to try cluster mode
// (docs/cluster.md, "A local cluster"). Open http://localhost:8787 as usual; HAProxy
// (deploy/haproxy.cfg) hashes each board's sockets to one node and spreads the rest.
//
// What it needs, it sets up the way `npm run setup:services` does: Debian's postgresql and
// redis-server, and haproxy too, installed with apt-get when missing (as root; otherwise it
// says what to install). PostgreSQL: the machine's server, database `loupe_cluster` as the
// local `loupe_test` role (LOUPE_DATABASE_URL points elsewhere). Redis: a private
// redis-server on 127.0.0.1:6390 without persistence, as production runs it (or
// LOUPE_REDIS_URL). Data: data/cluster/ (each node's folder, the shared media folder, the
// cluster's signing secret and setup code, kept across runs). Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aptInstall, haproxyInstalled, redisInstalled, setupPostgres } from './setup-services.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = join(root, 'data', 'cluster')
const NODES = [
  { id: 'n1', port: 8801 },
  { id: 'n2', port: 8802 },
  { id: 'n3', port: 8803 },
]
const log = (line) => console.log(`cluster: ${line}`)
const children = []

function kept(name, make) {
  const file = join(dir, name)
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 })
  return readFileSync(file, 'utf8').trim()
}

function services() {
  const missing = [
    ...(haproxyInstalled() ? [] : ['haproxy']),
    ...(process.env.LOUPE_REDIS_URL || redisInstalled() ? [] : ['redis-server']),
  ]
  if (missing.length > 0) aptInstall(log, missing)
  if (process.env.LOUPE_DATABASE_URL) return process.env.LOUPE_DATABASE_URL
  const postgres = setupPostgres({ install: true, log })
  if (!postgres) throw new Error('PostgreSQL is missing')
  const url = new URL(postgres.url)
  const exists = spawnSync(
    'psql',
    [postgres.url, '-tAc', "SELECT 1 FROM pg_database WHERE datname = 'loupe_cluster'"],
    { encoding: 'utf8' },
  )
  if (exists.stdout.trim() !== '1') {
    log('creating database loupe_cluster')
    const made = spawnSync('psql', [postgres.url, '-c', 'CREATE DATABASE loupe_cluster'], {
      stdio: 'inherit',
    })
    if (made.status !== 0) throw new Error('could not create database loupe_cluster')
  }
  url.pathname = '/loupe_cluster'
  return url.toString()
}

/** Runs a child, its output prefixed with its name; the cluster stops if it exits. */
function run(name, command, args, env = process.env) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(`[${name}] ${line}\n`)
    })
  prefix(child.stdout, process.stdout)
  prefix(child.stderr, process.stderr)
  child.once('exit', (code, signal) => {
    if (stopping) return
    log(`${name} exited (${signal ?? code}); stopping the cluster`)
    void stop(1)
  })
  children.push(child)
  return child
}

let stopping = false
async function stop(status) {
  if (stopping) return
  stopping = true
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', resolve)
          child.kill('SIGTERM')
        }),
    ),
  )
  process.exit(status)
}
process.on('SIGINT', () => void stop(0))
process.on('SIGTERM', () => void stop(0))

mkdirSync(join(dir, 'media'), { recursive: true })
let databaseUrl
try {
  databaseUrl = services()
} catch (error) {
  console.error(`cluster: ${error instanceof Error ? error.message : error}`)
  process.exit(1)
}

const { buildClientIfNeeded } = await import('./client-build.mjs')
const { buildServerIfNeeded } = await import('./server-build.mjs')
const built = buildClientIfNeeded() || (await buildServerIfNeeded())
if (built !== 0) process.exit(built)

let redisUrl = process.env.LOUPE_REDIS_URL
if (!redisUrl) {
  mkdirSync(join(dir, 'redis'), { recursive: true })
  // No persistence: what Loupe keeps in Redis is rebuilt from PostgreSQL or expires.
  run('redis', 'redis-server', [
    '--port',
    '6390',
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    join(dir, 'redis'),
  ])
  redisUrl = 'redis://127.0.0.1:6390'
}

const setupCode = kept('setup-code', () => randomBytes(5).toString('hex').toUpperCase())
const env = {
  ...process.env,
  HOST: '127.0.0.1',
  LOUPE_DATABASE_URL: databaseUrl,
  LOUPE_REDIS_URL: redisUrl,
  LOUPE_JWT_SECRET: kept('jwt-secret', () => randomBytes(32).toString('base64url')),
  // One code for every node: the owner's setup request may reach any of them.
  LOUPE_SETUP_CODE: setupCode,
  LOUPE_MEDIA_DIR: join(dir, 'media'),
  LOUPE_PUBLIC_URL: process.env.LOUPE_PUBLIC_URL ?? 'http://localhost:8787',
}
for (const node of NODES) {
  run(node.id, process.execPath, [join(root, 'build', 'main.mjs')], {
    ...env,
    PORT: String(node.port),
    LOUPE_NODE_ID: node.id,
    LOUPE_DATA_DIR: join(dir, node.id),
  })
}
// The balancer once every node answers, so it starts with all of them in.
for (const node of NODES) {
  const deadline = Date.now() + 60_000
  while (
    !(await globalThis.fetch(`http://127.0.0.1:${node.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || stopping) {
      log(`${node.id} did not become ready`)
      await stop(1)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
run('haproxy', 'haproxy', ['-db', '-f', join(root, 'deploy', 'haproxy.cfg')])
log(`three nodes (${NODES.map((n) => n.port).join(', ')}) behind HAProxy: http://localhost:8787`)
log(`first start: create the owner with setup code ${setupCode}`)
