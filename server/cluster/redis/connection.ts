/**
 * One Redis connection of a cluster node (docs/cluster.md, "Redis"): an ioredis client that
 * loads the `loupe` function library on every connect, before anything is said to be up, so
 * scripts survive a Redis restart; and a health state for `/readyz`.
 *
 * Commands fail fast while Redis is unreachable (no offline queue) and are never resent after
 * a reconnect: a lock request must answer "unavailable" at once rather than hang, and a resent
 * release could run twice. Acquires are safe to retry through their request id instead.
 */
import { Redis } from 'ioredis'
import { RedisKeys } from './keys.ts'
import { librarySource } from './library.ts'

export type RedisHealth = 'up' | 'down'

export interface RedisConnectionOptions {
  url: string
  /** Key prefix (default `loupe:`). */
  prefix?: string | undefined
  /** The client's name in `CLIENT LIST`. */
  name?: string | undefined
  /** A command unanswered for this long fails (default 2000 ms), so a stopped Redis cannot hang a request. */
  commandTimeoutMs?: number | undefined
  /** Connection errors and library load failures (ioredis reports each reconnect attempt). */
  onError?: ((error: Error) => void) | undefined
}

type UpListener = () => void | Promise<void>

const isMissingFunction = (error: unknown) =>
  error instanceof Error && /Function not found/i.test(error.message)

export class RedisConnection {
  readonly client: Redis
  readonly keys: RedisKeys
  private current: RedisHealth = 'down'
  private readonly upListeners = new Set<UpListener>()
  private readonly downListeners = new Set<() => void>()
  private closed = false

  constructor(private readonly options: RedisConnectionOptions) {
    this.keys = new RedisKeys(options.prefix)
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectionName: options.name,
      // Reconnect quickly and forever: a node without Redis is degraded, not dead.
      retryStrategy: (attempt) => Math.min(50 * attempt, 500),
    })
    this.client.on('ready', () => void this.ready())
    this.client.on('close', () => this.down())
    this.client.on('error', (error: Error) => this.options.onError?.(error))
  }

  /** Connects and resolves once the library is loaded (rejects after `timeoutMs`). */
  static async open(options: RedisConnectionOptions, timeoutMs = 5000): Promise<RedisConnection> {
    const connection = new RedisConnection(options)
    connection.client.connect().catch(() => {
      // Failed first attempts are retried by the retry strategy and reported through onError.
    })
    try {
      await connection.whenUp(timeoutMs)
    } catch (error) {
      await connection.close()
      throw error
    }
    return connection
  }

  /** `up` once connected with the library loaded; `down` otherwise. */
  get health(): RedisHealth {
    return this.current
  }

  /** Runs after every (re)connect, once the library is loaded; returns an unsubscribe. */
  onUp(listener: UpListener): () => void {
    this.upListeners.add(listener)
    return () => this.upListeners.delete(listener)
  }

  onDown(listener: () => void): () => void {
    this.downListeners.add(listener)
    return () => this.downListeners.delete(listener)
  }

  whenUp(timeoutMs: number): Promise<void> {
    if (this.current === 'up') return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`Redis at ${this.options.url} is not up after ${timeoutMs} ms`))
      }, timeoutMs)
      const stop = this.onUp(() => {
        clearTimeout(timer)
        stop()
        resolve()
      })
    })
  }

  private async ready(): Promise<void> {
    try {
      await this.loadLibrary()
    } catch (error) {
      // Redis without Functions (< 7.0) cannot serve a cluster: stay down and say why.
      this.options.onError?.(error as Error)
      return
    }
    if (this.closed || this.client.status !== 'ready') return
    this.current = 'up'
    for (const listener of [...this.upListeners]) {
      Promise.resolve()
        .then(listener)
        .catch((error: unknown) => this.options.onError?.(error as Error))
    }
  }

  private down(): void {
    if (this.current === 'down') return
    this.current = 'down'
    for (const listener of [...this.downListeners]) listener()
  }

  async loadLibrary(): Promise<void> {
    await this.client.call('FUNCTION', 'LOAD', 'REPLACE', librarySource())
  }

  /**
   * Calls a library function. Keys are built inside the library from the prefix (the first
   * argument), so none are declared: cluster mode runs on one Redis primary, not Redis Cluster.
   * A library lost since the last connect (a restart racing this call) is loaded again and the
   * call made once more: it never ran, so running it now is safe.
   */
  async fcall(name: string, args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await this.client.fcall(name, 0, ...args)
    } catch (error) {
      if (!isMissingFunction(error)) throw error
      await this.loadLibrary()
      return this.client.fcall(name, 0, ...args)
    }
  }

  /** A read-only library function (FCALL_RO). */
  async fcallReadOnly(name: string, args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await this.client.fcall_ro(name, 0, ...args)
    } catch (error) {
      if (!isMissingFunction(error)) throw error
      await this.loadLibrary()
      return this.client.fcall_ro(name, 0, ...args)
    }
  }

  /** Redis's run id: it changes on every restart and failover (the generation protocol's cue). */
  async runId(): Promise<string> {
    const info = await this.client.info('server')
    const found = /run_id:([0-9a-f]+)/.exec(info)
    if (!found?.[1]) throw new Error('INFO server has no run_id')
    return found[1]
  }

  async close(): Promise<void> {
    this.closed = true
    this.upListeners.clear()
    this.current = 'down'
    this.downListeners.clear()
    if (this.client.status === 'ready') await this.client.quit().catch(() => undefined)
    this.client.disconnect()
  }
}
