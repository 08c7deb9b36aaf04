import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv, envSchema, loadConfig, parseEnv } from '../server/config.ts'

const variables = Object.keys(envSchema.shape)

/** Every .ts file under a folder, with its path. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('configuration from the environment', () => {
  it('has safe defaults', () => {
    const config = configFromEnv(parseEnv({}), undefined)
    expect(config).toMatchObject({
      port: 8787,
      auth: true,
      syncMode: 'normal',
      dataDir: './data',
      pingMs: 30_000,
    })
    expect(config.limits.maxMessageBytes).toBe(8 * 1024 * 1024)
  })

  it('names every bad variable and the form it should take', () => {
    let error: unknown
    try {
      parseEnv({
        PORT: 'eighty',
        LOUPE_AUTH: 'maybe',
        LOUPE_SYNC: 'sometimes',
        LOUPE_HEARTBEAT_MS: '5',
        LOUPE_REDIS_URL: 'http://x',
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems.join('\n')
    expect(problems).toContain('PORT="eighty": expected a whole number')
    expect(problems).toContain('LOUPE_AUTH="maybe": expected "on" or "off"')
    expect(problems).toContain('LOUPE_SYNC="sometimes": expected "normal" or "full"')
    expect(problems).toContain('LOUPE_HEARTBEAT_MS="5": expected a whole number >= 100')
    expect(problems).toContain('LOUPE_REDIS_URL="http://x": expected a redis:// or rediss:// URL')
  })

  it('treats empty variables as unset', () => {
    expect(parseEnv({ PORT: '', LOUPE_AUTH: 'off' })).toMatchObject({
      PORT: 8787,
      LOUPE_AUTH: 'off',
    })
  })

  it('turns the environment into a Config through one entry, loadConfig', () => {
    const env = { PORT: '9000', LOUPE_AUTH: 'off', LOUPE_METRICS_TOKEN: 'a-token-of-16-chars' }
    expect(loadConfig(env, '/srv/client')).toEqual(configFromEnv(parseEnv(env), '/srv/client'))
    expect(loadConfig(env)).toMatchObject({ port: 9000, auth: false, clientDir: undefined })
    expect(loadConfig(env).metricsToken).toBe('a-token-of-16-chars')
    expect(() => loadConfig({ LOUPE_SYNC: 'sometimes' })).toThrow(ConfigError)
  })

  it('is in cluster mode with both LOUPE_DATABASE_URL and LOUPE_REDIS_URL, and refuses one alone', () => {
    expect(loadConfig({}).cluster).toBeNull()
    expect(() => loadConfig({ LOUPE_REDIS_URL: 'redis://r:6379' })).toThrow(
      'LOUPE_REDIS_URL is set but LOUPE_DATABASE_URL is not: cluster mode needs both',
    )
    expect(() => loadConfig({ LOUPE_DATABASE_URL: 'postgres://u@db/loupe' })).toThrow(
      'LOUPE_DATABASE_URL is set but LOUPE_REDIS_URL is not: cluster mode needs both',
    )
    expect(() =>
      loadConfig({ LOUPE_DATABASE_URL: 'mysql://db/loupe', LOUPE_REDIS_URL: 'redis://r' }),
    ).toThrow('expected a postgres:// or postgresql:// URL')
    expect(() =>
      loadConfig({ LOUPE_DATABASE_URL: 'postgres://u@db/loupe', LOUPE_REDIS_URL: 'redis://r' }),
    ).toThrow('cluster mode needs LOUPE_JWT_SECRET, the same on every node')
    const cluster = {
      LOUPE_JWT_SECRET: 'a-cluster-wide-secret-of-32-chars!',
      LOUPE_DATABASE_URL: 'postgres://u@db/loupe',
      LOUPE_REDIS_URL: 'redis://r:6379',
      PORT: '9001',
    }
    expect(loadConfig(cluster).cluster).toMatchObject({
      databaseUrl: 'postgres://u@db/loupe',
      redisUrl: 'redis://r:6379',
      redisPrefix: 'loupe:',
      leaseMs: 3000,
      nodeId: expect.stringMatching(/:9001$/),
    })
    expect(
      loadConfig({ ...cluster, LOUPE_NODE_ID: 'n1', LOUPE_LEASE_MS: '1000' }).cluster,
    ).toMatchObject({ nodeId: 'n1', leaseMs: 1000 })
  })

  it('is read from process.env only by the two process entries, both through loadConfig', () => {
    const readers = sources('server')
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .sort()
    expect(readers).toEqual([join('server', 'admin.ts'), join('server', 'main.ts')])
    for (const file of readers) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).toContain('loadConfig(process.env')
      expect(text.match(/process\.env\b/g), file).toHaveLength(1)
    }
  })

  it('.env.example lists every variable with its true default', () => {
    const lines = readFileSync('.env.example', 'utf8').split('\n')
    const assignments = new Map<string, string>()
    for (const line of lines) {
      const match = /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
      if (match) assignments.set(match[1] as string, match[2] as string)
    }
    expect([...assignments.keys()].sort()).toEqual([...variables].sort())
    // Each assignment is commented out (a copy changes nothing) and states the default.
    for (const name of variables) expect(lines, name).toContain(`#${name}=${assignments.get(name)}`)
    expect(parseEnv(Object.fromEntries(assignments))).toEqual(parseEnv({}))
    // Variables without a default are shown empty, and each has a comment line above it.
    for (const [name, value] of assignments)
      if (value === '')
        expect(parseEnv({})[name as keyof ReturnType<typeof parseEnv>]).toBeUndefined()
    for (const name of variables) {
      const at = lines.findIndex((l) => l.startsWith(`#${name}=`))
      const above = lines
        .slice(0, at)
        .reverse()
        .find((l) => !/^#[A-Z][A-Z0-9_]*=/.test(l))
      expect(above, name).toMatch(/^# \S/)
    }
  })

  it("README's configuration table names every variable", () => {
    const readme = readFileSync('README.md', 'utf8')
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## API'))
    for (const name of variables) expect(table, name).toContain(`\`${name}\``)
  })
})
