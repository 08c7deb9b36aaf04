/** Opening and closing many clients at once, with the concurrency bounded. */
import { BenchClient } from './client.ts'
import type { ClientLog, ClientOptions } from './client.ts'
import { mapLimit } from './async.ts'

export interface FleetSpec {
  url: string
  opts?: ClientOptions
}

export interface Fleet {
  clients: BenchClient[]
  /** Clients that did not open and finish the sync handshake in time. */
  failed: number
  connectMs: number
}

/**
 * Opens every client and waits for its sync step 2, at most `concurrency` handshakes in
 * flight: an unbounded burst of thousands of upgrades measures the accept queue, not
 * steady-state behaviour, and makes handshakes time out on a 2-core machine.
 */
export async function connectFleet(
  specs: readonly FleetSpec[],
  log: ClientLog,
  concurrency = 100,
  timeoutMs = 15_000,
): Promise<Fleet> {
  const t0 = performance.now()
  let failed = 0
  const clients = await mapLimit(specs, concurrency, async (spec) => {
    const c = BenchClient.create(spec.url, log, spec.opts)
    try {
      await c.opened
      if (!(await c.whenSynced(timeoutMs))) failed++
    } catch {
      failed++
    }
    return c
  })
  return { clients, failed, connectMs: performance.now() - t0 }
}

export async function closeFleet(clients: readonly BenchClient[]): Promise<void> {
  await mapLimit(clients, 500, (c) => c.close())
}
