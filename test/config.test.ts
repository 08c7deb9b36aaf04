import { describe, expect, it } from 'vitest'
import { ConfigError, configFromEnv, parseEnv } from '../server/config.ts'

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
})
