import { createServer, type Server } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { usePgDatabase } from '../../../test/cluster/pg-fixtures.ts'
import { testPostgres } from '../../../test/cluster/postgres.ts'
import { isPgUnavailable, PgUnavailableError } from './errors.ts'
import { PgPool } from './pool.ts'

const postgres = await testPostgres()

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('PostgreSQL pool, without a server', () => {
  const pools: PgPool[] = []
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()))
  })

  it('refuses a URL that is not postgres:// at construction', () => {
    expect(() => new PgPool({ url: 'redis://127.0.0.1:6379' })).toThrow(
      'the PostgreSQL URL must start with postgres://, not redis://',
    )
    expect(() => new PgPool({ url: 'not a url' })).toThrow('is not a URL')
  })

  it('reports an unreachable server as down and its errors as unavailable, without the password', async () => {
    const port = await closedPort()
    const pool = new PgPool({ url: `postgres://loupe:s3cret@127.0.0.1:${port}/loupe` })
    pools.push(pool)
    const health = await pool.health()
    expect(health).toEqual({
      state: 'down',
      error: expect.stringContaining(`127.0.0.1:${port}/loupe`),
    })
    const failure = await pool.query('SELECT 1').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(PgUnavailableError)
    expect(isPgUnavailable(failure)).toBe(true)
    expect((failure as PgUnavailableError).reason).toBe('ECONNREFUSED')
    expect(String((failure as Error).message)).not.toContain('s3cret')
    await expect(pool.transaction(async () => 1)).rejects.toThrow(PgUnavailableError)
  })
})

describe.skipIf(!postgres)('PostgreSQL pool', () => {
  const pg = usePgDatabase(postgres)

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await pg.pool.query("INSERT INTO store_probe (data) VALUES ('\\x00')")
    await expect(
      pg.pool.transaction(async (tx) => {
        await tx.query('DELETE FROM store_probe')
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect((await pg.pool.query('SELECT * FROM store_probe')).rowCount).toBe(1)
    const result = await pg.pool.transaction(async (tx) => {
      await tx.query('DELETE FROM store_probe')
      return 'done'
    })
    expect(result).toBe('done')
    expect((await pg.pool.query('SELECT * FROM store_probe')).rowCount).toBe(0)
  })

  it('answers health with a round trip time, and leaves SQL errors as they are', async () => {
    expect(await pg.pool.health()).toEqual({ state: 'up', latencyMs: expect.any(Number) })
    const failure = await pg.pool.query('SELEC 1').catch((error: unknown) => error)
    expect(failure).not.toBeInstanceOf(PgUnavailableError)
    expect(isPgUnavailable(failure)).toBe(false)
    expect(failure).toMatchObject({ code: '42601' })
  })

  it('reads bigint columns as numbers, and refuses one beyond 2^53', async () => {
    const { rows } = await pg.pool.query('SELECT 9007199254740991::bigint AS max, 1::bigint AS one')
    expect(rows[0]).toEqual({ max: Number.MAX_SAFE_INTEGER, one: 1 })
    await expect(pg.pool.query('SELECT 9007199254740993::bigint AS big')).rejects.toThrow(
      'beyond 2^53',
    )
  })

  it('turns a connection lost mid-transaction into PgUnavailableError, then serves the next', async () => {
    const pool = pg.node('victim')
    const killer = pg.node('killer')
    const lost = pool.transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid])
      await tx.query('SELECT 1')
    })
    await expect(lost).rejects.toThrow(PgUnavailableError)
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
    expect(await pool.health()).toMatchObject({ state: 'up' })
  })
})
