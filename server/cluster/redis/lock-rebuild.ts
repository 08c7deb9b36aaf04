/**
 * Rebuilds the lock table of a new generation from the journal (docs/cluster.md,
 * "Generations"): what is left of the old table is cleared first (after a Redis wipe there is
 * nothing; after a regression the old table is not to be trusted), then every journaled
 * holder keeps its lock, token and expiry, every waiter its place (tickets keep their order),
 * and every session named gets a grace deadline to be re-registered by its node or resumed.
 */
import type { LockJournal } from '../../locks/lock-journal.ts'
import type { RedisConnection } from './connection.ts'
import { recordOf, waiterOf } from './lock-records.ts'

/** Entries restored per call, so one function call stays short. */
const BATCH = 500

export class LockRebuild {
  constructor(
    private readonly connection: RedisConnection,
    private readonly journal: LockJournal,
    private readonly graceMs: number,
  ) {}

  async run(gen: number): Promise<void> {
    await this.clear()
    const { held, waiting } = await this.journal.latest()
    const sessions = new Map<string, { id: string; userId: string; name: string }>()
    for (const entry of [...held, ...waiting]) {
      if (entry.sessionId)
        sessions.set(entry.sessionId, {
          id: entry.sessionId,
          userId: entry.holder.id,
          name: entry.holder.name,
        })
    }
    const locks = held.map(recordOf)
    const waiters = waiting.map((entry) => ({ key: entry.key, waiter: waiterOf(entry) }))
    const allSessions = [...sessions.values()]
    const rounds = Math.max(
      1,
      Math.ceil(Math.max(locks.length, waiters.length, allSessions.length) / BATCH),
    )
    for (let i = 0; i < rounds; i++) {
      const slice = <T>(items: T[]) => items.slice(i * BATCH, (i + 1) * BATCH)
      const restored = await this.connection.fcall('gen_restore', [
        this.connection.keys.prefix,
        gen,
        JSON.stringify({
          locks: slice(locks),
          waiters: slice(waiters),
          sessions: slice(allSessions),
          graceMs: this.graceMs,
        }),
      ])
      if (restored !== 1) throw new Error(`generation ${gen} was replaced during its rebuild`)
    }
  }

  private async clear(): Promise<void> {
    const { client, keys } = this.connection
    await client.unlink(keys.lockExpiries)
    for (const pattern of keys.lockStatePatterns()) {
      let cursor = '0'
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
        if (found.length > 0) await client.unlink(...found)
        cursor = next
      } while (cursor !== '0')
    }
  }
}
