/**
 * The generation protocol (docs/cluster.md, "Generations"). Fencing tokens are
 * `gen × 2^32 + counter`; the counters live in Redis, which runs without persistence, so a
 * Redis that restarted, failed over or lost its data must never hand out tokens of the old
 * generation again. On every connect a node pauses lock operations and compares Redis's
 * run_id with the one the current generation was built on:
 *  - the same, and ready: go on;
 *  - another node is rebuilding: wait for it (or take over if it stalled);
 *  - different (or no generation at all): take the next generation from PostgreSQL's sequence,
 *    compare-and-set it in Redis (one node wins), rebuild the lock table from the journal,
 *    and mark it ready.
 * The journal can also force a new generation when it catches a token going backwards.
 */
import type { RedisConnection } from './connection.ts'

export interface LockGenerationOptions {
  connection: RedisConnection
  /**
   * The next value of the generation sequence (PostgreSQL's `nextLockGeneration`), taken for
   * the Redis run `runId`; only ever grows.
   */
  nextGeneration: (runId: string) => Promise<number>
  /** Restores the journal into Redis for generation `gen` (its state is `rebuilding`). */
  rebuild: (gen: number) => Promise<void>
  /** A rebuild unfinished after this long is taken over by another node (default 15 s). */
  staleRebuildMs?: number | undefined
  onError?: ((error: Error) => void) | undefined
}

type State = 'down' | 'checking' | 'ready'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export class LockGeneration {
  private state: State = 'down'
  private running: Promise<void> = Promise.resolve()
  private readonly readyListeners = new Set<(gen: number) => void>()
  private stopped = false
  /** The generation this node last saw ready. */
  current: number | null = null

  constructor(private readonly options: LockGenerationOptions) {
    options.connection.onUp(() => this.check())
    options.connection.onDown(() => {
      this.state = 'down'
    })
    if (options.connection.health === 'up') void this.check()
  }

  get ready(): boolean {
    return this.state === 'ready'
  }

  /** Called with the generation each time this node finds locks ready (re-register sessions then). */
  onReady(listener: (gen: number) => void): () => void {
    this.readyListeners.add(listener)
    return () => this.readyListeners.delete(listener)
  }

  /**
   * Runs the protocol; checks queue behind one another. `regressed` names a generation the
   * journal caught going backwards: it is replaced even though run_id has not changed.
   */
  check(regressed?: number): Promise<void> {
    this.state = 'checking'
    this.running = this.running.then(() => this.run(regressed))
    return this.running
  }

  /** Resolves true once ready, or false after `timeoutMs`. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop()
        resolve(false)
      }, timeoutMs)
      const stop = this.onReady(() => {
        clearTimeout(timer)
        stop()
        resolve(true)
      })
    })
  }

  stop(): void {
    this.stopped = true
    this.state = 'down'
  }

  private async run(regressed: number | undefined): Promise<void> {
    const { connection } = this.options
    const staleMs = this.options.staleRebuildMs ?? 15_000
    while (!this.stopped && connection.health === 'up') {
      try {
        const [runId, [gRunId, gGen, gState, gSince], [seconds, micros]] = await Promise.all([
          connection.runId(),
          connection.client.hmget(connection.keys.gen, 'runId', 'gen', 'state', 'since'),
          connection.client.time(),
        ])
        const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
        const forcing = regressed !== undefined && String(regressed) === gGen
        if (gRunId === runId && !forcing) {
          if (gState === 'ready') return this.becomeReady(Number(gGen))
          if (gState === 'rebuilding' && now - Number(gSince) <= staleMs) {
            await pause(50)
            continue
          }
        }
        const next = await this.options.nextGeneration(runId)
        const began = JSON.parse(
          String(
            await connection.fcall('gen_begin', [
              connection.keys.prefix,
              runId,
              next,
              forcing ? (gGen ?? '') : '',
              staleMs,
            ]),
          ),
        ) as { r: string }
        if (began.r !== 'won') continue
        await this.options.rebuild(next)
        if ((await connection.fcall('gen_ready', [connection.keys.prefix, next])) === 1)
          return this.becomeReady(next)
      } catch (error) {
        this.options.onError?.(error as Error)
        await pause(200)
      }
    }
  }

  private becomeReady(gen: number): void {
    this.current = gen
    this.state = 'ready'
    for (const listener of [...this.readyListeners]) listener(gen)
  }
}
