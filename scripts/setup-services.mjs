// `npm run setup:services`: makes sure the cluster-mode tests have the services they talk to.
// Missing Debian packages (`postgresql`, `redis-server`, `haproxy`) are installed with one
// apt-get run (as root). Redis needs nothing more: each suite starts a private redis-server, as
// the load balancer's test starts its own haproxy with deploy/haproxy.cfg. PostgreSQL: the
// machine's cluster is started if it is down (or created if there is none), and the test role
// `loupe_test` (password `loupe_test`, CREATEDB) is made to sign in on loopback, since a fresh
// Debian install asks for a password on TCP. Prints each step and how long it took. Under CI a
// service it cannot provide fails the run; elsewhere it warns, and the tests that need the
// service skip. The tests call `setupPostgres({ install: false })`: they may start the
// cluster, but never install anything.
// LOUPE_TEST_DATABASE_URL (a URL whose user may CREATE DATABASE) points the tests elsewhere.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

export const TEST_ROLE = 'loupe_test'
const MANUAL =
  'Install them yourself (Debian: apt-get install postgresql redis-server haproxy); for PostgreSQL you ' +
  'may instead set LOUPE_TEST_DATABASE_URL to a URL whose user may CREATE DATABASE.'

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`

function run(log, command, args, what) {
  log(`setup:services: $ ${command} ${args.join(' ')}`)
  const started = Date.now()
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}. ${MANUAL}`)
  if (result.status !== 0)
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}). ${MANUAL}`)
  log(`setup:services: ${what} took ${seconds(started)}`)
}

const quiet = (command, args, env = process.env) =>
  spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, env })

/** Debian's cluster tools and a server binary are installed. */
export function postgresInstalled() {
  return (
    existsSync('/usr/bin/pg_lsclusters') &&
    existsSync('/usr/bin/psql') &&
    existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').length > 0
  )
}

/** The machine's clusters, as `pg_lsclusters` lists them. */
function clusters() {
  const result = quiet('pg_lsclusters', ['--no-header'])
  if (result.status !== 0) throw new Error(`pg_lsclusters failed: ${result.stderr.trim()}`)
  return result.stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [version, name, port, status] = line.trim().split(/\s+/)
      return { version, name, port: Number(port), online: status?.startsWith('online') ?? false }
    })
}

function testUrl(port) {
  return `postgres://${TEST_ROLE}:${TEST_ROLE}@127.0.0.1:${port}/postgres`
}

function canSignIn(url) {
  const result = quiet('psql', [url, '-tAc', 'SELECT 1'], {
    ...process.env,
    PGCONNECT_TIMEOUT: '5',
  })
  return result.status === 0 && result.stdout.trim() === '1'
}

/** A running cluster, starting (or creating) one if needed; returns its port. */
function runningCluster(log) {
  let list = clusters()
  if (list.length === 0) {
    const version = readdirSync('/usr/lib/postgresql').sort().at(-1)
    run(log, 'pg_createcluster', [version, 'main', '--start'], 'creating a PostgreSQL cluster')
    list = clusters()
  }
  const online = list.find((c) => c.online)
  if (online) return online.port
  const cluster = list[0]
  // A test process may race us to start it: a failed start is fine if it is online after.
  try {
    run(
      log,
      'pg_ctlcluster',
      ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start'],
      `starting PostgreSQL ${cluster.version}/${cluster.name}`,
    )
  } catch (error) {
    if (!clusters().some((c) => c.online)) throw error
  }
  return cluster.port
}

/** Creates the test role through the local socket as the postgres superuser. */
function createTestRole(log, port) {
  const sql =
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${TEST_ROLE}') THEN ` +
    `CREATE ROLE ${TEST_ROLE} LOGIN CREATEDB PASSWORD '${TEST_ROLE}'; END IF; END $$`
  const asPostgres = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--']] : null
  if (!asPostgres)
    throw new Error(
      `the role ${TEST_ROLE} cannot sign in and creating it needs root: run \`sudo npm run setup:services\`. ${MANUAL}`,
    )
  const [command, prefix] = asPostgres
  run(
    log,
    command,
    [...prefix, 'psql', '-p', String(port), '-d', 'postgres', '-tAc', sql],
    `creating the role ${TEST_ROLE}`,
  )
}

/** Installs Debian packages with apt-get (root only); throws saying what to do otherwise. */
export function aptInstall(log, packages) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get'))
    throw new Error(
      `${packages.join(' and ')} missing and this is not Debian-like with apt-get. ${MANUAL}`,
    )
  if (process.getuid?.() !== 0)
    throw new Error(
      `${packages.join(' and ')} missing and installing needs root: run \`sudo npm run setup:services\`. ${MANUAL}`,
    )
  log(`setup:services: installing Debian's ${packages.join(' and ')} with apt-get`)
  // Another apt (unattended upgrades) may hold the lock for a while: wait for it, not fail.
  const wait = ['-o', 'DPkg::Lock::Timeout=300']
  run(log, 'apt-get', ['update', ...wait], 'apt-get update')
  run(
    log,
    'apt-get',
    ['install', ...wait, '-y', '--no-install-recommends', ...packages],
    `installing ${packages.join(' and ')}`,
  )
}

export function redisInstalled(env = process.env) {
  return quiet(env.LOUPE_REDIS_SERVER ?? 'redis-server', ['--version']).status === 0
}

export function haproxyInstalled() {
  return quiet('haproxy', ['-v']).status === 0
}

/**
 * Makes sure PostgreSQL answers; returns `{ url }` for the tests' admin connection, or null
 * when PostgreSQL is not installed and `install` is false. Throws, saying what to do, otherwise.
 */
export function setupPostgres({ install = true, env = process.env, log = console.log } = {}) {
  const started = Date.now()
  if (env.LOUPE_TEST_DATABASE_URL) {
    log('setup:services: PostgreSQL from LOUPE_TEST_DATABASE_URL')
    return { url: env.LOUPE_TEST_DATABASE_URL }
  }
  if (!postgresInstalled()) {
    if (!install) return null
    aptInstall(log, ['postgresql'])
  }
  const port = runningCluster(log)
  const url = testUrl(port)
  if (!canSignIn(url)) {
    createTestRole(log, port)
    if (!canSignIn(url))
      throw new Error(
        `the role ${TEST_ROLE} still cannot sign in on 127.0.0.1:${port} (check pg_hba.conf allows password sign-in on loopback). ${MANUAL}`,
      )
  }
  log(`setup:services: PostgreSQL ready on 127.0.0.1:${port} as ${TEST_ROLE} (${seconds(started)})`)
  return { url }
}

/** Every service the cluster-mode tests need. Under CI a missing one fails; elsewhere it warns. */
export function setupServices({ env = process.env, log = console.log, warn = console.warn } = {}) {
  const started = Date.now()
  const failed = (error) => {
    if (env.CI) throw error
    warn(`setup:services: ${error instanceof Error ? error.message : error}`)
    warn('setup:services: the cluster tests that need it will skip (under CI they would fail)')
  }
  // One apt-get run for whatever is missing: `apt-get update` alone takes a while.
  const missing = [
    ...(env.LOUPE_TEST_DATABASE_URL || postgresInstalled() ? [] : ['postgresql']),
    ...(redisInstalled(env) ? [] : ['redis-server']),
    ...(haproxyInstalled() ? [] : ['haproxy']),
  ]
  if (missing.length > 0) {
    try {
      aptInstall(log, missing)
    } catch (error) {
      failed(error)
    }
  }
  if (redisInstalled(env))
    log(
      `setup:services: ${quiet(env.LOUPE_REDIS_SERVER ?? 'redis-server', ['--version']).stdout.trim()}`,
    )
  try {
    if (!setupPostgres({ env, log, install: false }))
      failed(new Error(`PostgreSQL is missing. ${MANUAL}`))
  } catch (error) {
    failed(error)
  }
  log(`setup:services: done in ${seconds(started)}`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    setupServices()
  } catch (error) {
    console.error(`setup:services: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
}
