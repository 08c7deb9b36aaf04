/**
 * Real PostgreSQL for tests: makes sure the machine's server runs (starting its cluster if it
 * is down, as `npm run setup:services` does, but never installing), then gives each suite a
 * fresh database of its own, dropped after. Suites may skip only when PostgreSQL is truly
 * absent and CI is unset:
 *
 *   const postgres = await testPostgres()
 *   describe.skipIf(!postgres)('…', () => { const db = useTestDatabase(postgres) … })
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { setupPostgres } from '../../scripts/setup-services.mjs'

export interface TestPostgres {
  /** A URL whose user may create and drop databases. */
  adminUrl: string
}

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

let found: Promise<TestPostgres | null> | undefined

/** The machine's PostgreSQL, or null when it is not installed and CI is unset. */
export function testPostgres(): Promise<TestPostgres | null> {
  found ??= (async () => {
    const service = setupPostgres({ install: false, log: () => {} })
    if (service) {
      const postgres = { adminUrl: service.url }
      await dropAbandoned(postgres)
      return postgres
    }
    if (process.env.CI)
      throw new Error(
        'PostgreSQL is missing, and under CI its tests must run: run `npm run setup:services` ' +
          "(as root; it installs Debian's postgresql — `npm test` runs it first).",
      )
    return null
  })()
  return found
}

async function admin<T>(postgres: TestPostgres, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: postgres.adminUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM'
  }
}

/**
 * Drops the databases of test processes that died before their afterAll (a killed run), so
 * they do not pile up. Names carry the creating pid; only a local server's are judged.
 */
async function dropAbandoned(postgres: TestPostgres): Promise<void> {
  const host = new URL(postgres.adminUrl).hostname
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return
  await admin(postgres, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT datname AS name FROM pg_database WHERE datname LIKE 'loupe\\_test\\_%'",
    )
    for (const { name } of rows) {
      const pid = Number(/^loupe_test_(\d+)_[0-9a-f]+$/.exec(name)?.[1])
      if (!pid || alive(pid)) continue
      // Another test process may be dropping it too.
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined)
    }
  })
}

/** CREATE DATABASE with a unique name; `drop()` removes it, closing whatever still uses it. */
export async function createTestDatabase(postgres: TestPostgres): Promise<TestDatabase> {
  const name = `loupe_test_${process.pid}_${randomBytes(4).toString('hex')}`
  // Sorted like most production databases (en-US, not C), so code that assumes byte order
  // without saying COLLATE "C" fails here; plain if the server was built without ICU.
  await admin(postgres, (client) =>
    client
      .query(
        `CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`,
      )
      .catch(() => client.query(`CREATE DATABASE ${name}`)),
  )
  const url = new URL(postgres.adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await admin(postgres, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`))
    },
  }
}

/** A fresh database for the enclosing suite: created before its tests, dropped after. */
export function useTestDatabase(postgres: TestPostgres | null): { readonly url: string } {
  let database: TestDatabase | undefined
  beforeAll(async () => {
    if (postgres) database = await createTestDatabase(postgres)
  })
  afterAll(async () => {
    await database?.drop()
  })
  return {
    get url() {
      if (!database) throw new Error('the test database is made in beforeAll')
      return database.url
    },
  }
}
