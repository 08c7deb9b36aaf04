/**
 * Board ownership (docs/cluster.md, "Board ownership"): at most one node serves a board, the
 * holder of its lease `{b:<id>}:owner` = `<nodeId>.<incarnation>`.
 *  - A node is registered (`node:<id>`, TTL nodeTtlMs, refreshed every nodeRefreshMs).
 *  - claim: `SET NX PX`, or a takeover when the lease names a node no longer registered under
 *    that incarnation (it died or restarted); every claim bumps the board's PostgreSQL
 *    owner_epoch through `takeOwnership`, the hard fence against a late writer.
 *  - The owner renews every lease/5 (compare-and-PEXPIRE) and releases on unload
 *    (compare-and-DEL). A lease being claimed is renewed too while its epoch bump waits for
 *    PostgreSQL (seconds, when a node starts serving a thousand boards at once): otherwise it
 *    would be stale, and fenced, the moment the claim completed.
 *  - Self-fencing: when a board's last successful renewal is lease/2 old on this node's
 *    monotonic clock (or the registry refresh nodeTtl/2 old), the node stops serving it and is
 *    told (`onLost`), before the lease can lapse in Redis and another node take it.
 *  - After a stall (the event loop blocked or starved of timers, so the check itself ran late),
 *    the age of the last renewal says nothing: no renewal was sent during the stall, or its
 *    answer is still unread. So the node renews at once and lets the answer decide: a lease
 *    still its own in Redis is kept, one that lapsed and nobody holds is taken back, one
 *    another node holds is lost ('taken'). With no answer, it fences once its checks have run
 *    on time for lease/2 (or at any check after STALLED_LEASES leases). Until the answer the
 *    node may serve a board whose lease another node already holds, exactly as a paused
 *    process would as it wakes; its commits fail on the epoch, and nothing it did not commit
 *    is relayed.
 */
import { randomBytes } from 'node:crypto'
import type { RedisConnection } from './connection.ts'
import { encodeId } from './keys.ts'

/** Repeats work on an interval; injected so a test can pause a node as a stopped process would be. */
export interface Ticker {
  every(ms: number, tick: () => void): () => void
}

export const realTicker: Ticker = {
  every(ms, tick) {
    const timer = setInterval(tick, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
}

/**
 * After a stall, an overdue lease is renewed at once rather than fenced (see fence()), unless
 * no renewal has answered for this many leases: a node whose loop stays blocked that long, cut
 * off from Redis or not, lets its clients go.
 */
const STALLED_LEASES = 10

/** Boards renewed by one call (a Lua function holds Redis for the whole call). */
const RENEW_CHUNK = 500
/** Boards whose owners one MGET reads. */
const OWNERS_CHUNK = 500

/** The node id a lease value (`<nodeId>.<incarnation>`) names. */
function leaseNode(value: string | null): string | null {
  return value === null ? null : decodeURIComponent(value.slice(0, value.lastIndexOf('.')))
}

/** fenced: renewals failed for too long; taken: the lease is someone else's; replaced: this node id restarted elsewhere. */
export type OwnershipLoss = 'fenced' | 'taken' | 'replaced'

export type ClaimResult = { owned: true; epoch: number } | { owned: false; owner: string }

export interface BoardOwnershipOptions {
  connection: RedisConnection
  nodeId: string
  /** Default 3000 (LOUPE_LEASE_MS). */
  leaseMs?: number | undefined
  nodeTtlMs?: number | undefined
  nodeRefreshMs?: number | undefined
  /** Bumps the board's owner_epoch in PostgreSQL (PgDocStore.takeOwnership); returns the epoch. */
  takeOwnership: (boardId: string, nodeId: string) => Promise<number>
  monotonic?: (() => number) | undefined
  ticker?: Ticker | undefined
  onError?: ((error: Error) => void) | undefined
}

export class BoardOwnership {
  readonly incarnation = randomBytes(6).toString('hex')
  private readonly startedAt = Date.now()
  private readonly me: string
  private readonly leaseMs: number
  private readonly nodeTtlMs: number
  private readonly monotonic: () => number
  /** Owned boards: their epoch, and the monotonic ms at which their last successful renewal (or the claim) started. */
  private readonly owned = new Map<string, { epoch: number; renewedAt: number }>()
  private readonly lostListeners = new Set<(boardId: string, why: OwnershipLoss) => void>()
  private registeredAt = -Infinity
  private stops: Array<() => void> = []
  private renewing = false
  /** When the fence check last ran (monotonic ms): a check much later than its period means a stall. */
  private checkedAt = -Infinity
  /** When a check last found the node stalled (monotonic ms). */
  private stalledAt = -Infinity
  private readonly claiming = new Map<string, Promise<ClaimResult>>()
  /** Leases this node holds while their epoch bump runs: when each last renewal started. */
  private readonly pending = new Map<string, { renewedAt: number; lost: boolean }>()

  constructor(private readonly options: BoardOwnershipOptions) {
    this.me = `${encodeId(options.nodeId)}.${this.incarnation}`
    this.leaseMs = options.leaseMs ?? 3000
    this.nodeTtlMs = options.nodeTtlMs ?? 5000
    this.monotonic = options.monotonic ?? (() => performance.now())
  }

  /** Registers the node, then keeps its registration and leases alive. */
  async start(): Promise<void> {
    await this.register(true)
    this.checkedAt = this.monotonic()
    const ticker = this.options.ticker ?? realTicker
    this.stops = [
      ticker.every(this.options.nodeRefreshMs ?? 1000, () => void this.register(false)),
      // The fence check runs ten times per lease, renewals every other time (lease/5).
      ticker.every(this.leaseMs / 10, this.tick()),
    ]
  }

  onLost(listener: (boardId: string, why: OwnershipLoss) => void): () => void {
    this.lostListeners.add(listener)
    return () => this.lostListeners.delete(listener)
  }

  owns(boardId: string): boolean {
    return this.owned.has(boardId)
  }

  /** The node id named by the board's lease, or null if nobody owns it. */
  async ownerOf(boardId: string): Promise<string | null> {
    return leaseNode(
      await this.options.connection.client.get(this.options.connection.keys.owner(boardId)),
    )
  }

  /**
   * The owners of many boards, one MGET per OWNERS_CHUNK boards (cluster mode runs on one Redis
   * primary, so the keys need not share a slot): a relaying node re-reads the owner of every
   * board it relays each second, and one GET per board was a round trip per board per second.
   */
  async ownersOf(boardIds: readonly string[]): Promise<Map<string, string | null>> {
    const { client, keys } = this.options.connection
    const owners = new Map<string, string | null>()
    for (let i = 0; i < boardIds.length; i += OWNERS_CHUNK) {
      const chunk = boardIds.slice(i, i + OWNERS_CHUNK)
      const values = await client.mget(chunk.map((boardId) => keys.owner(boardId)))
      chunk.forEach((boardId, j) => owners.set(boardId, leaseNode(values[j] ?? null)))
    }
    return owners
  }

  /**
   * Takes the board if it is free or its owner is gone; bumps the PostgreSQL epoch when taken.
   * Claims of one board by this node share one attempt (one epoch bump).
   */
  claim(boardId: string): Promise<ClaimResult> {
    const mine = this.owned.get(boardId)
    if (mine) return Promise.resolve({ owned: true, epoch: mine.epoch })
    let attempt = this.claiming.get(boardId)
    if (!attempt) {
      attempt = this.attemptClaim(boardId).finally(() => this.claiming.delete(boardId))
      this.claiming.set(boardId, attempt)
    }
    return attempt
  }

  private async attemptClaim(boardId: string): Promise<ClaimResult> {
    const { connection } = this.options
    const started = this.monotonic()
    const reply = JSON.parse(
      String(
        await connection.fcall('lease_claim', [
          connection.keys.prefix,
          boardId,
          this.me,
          this.leaseMs,
        ]),
      ),
    ) as { r: 'taken' | 'mine' | 'held'; previous: string }
    if (reply.r === 'held')
      return {
        owned: false,
        owner: decodeURIComponent(reply.previous.slice(0, reply.previous.lastIndexOf('.'))),
      }
    const lease = { renewedAt: started, lost: false }
    this.pending.set(boardId, lease)
    let epoch: number
    try {
      epoch = await this.options.takeOwnership(boardId, this.options.nodeId)
    } catch (error) {
      await this.releaseLease(boardId)
      throw error
    } finally {
      this.pending.delete(boardId)
    }
    if (lease.lost) {
      // A renewal found the lease gone (renewals too late); whoever holds it now serves it.
      const owner = await this.ownerOf(boardId)
      if (owner !== null && owner !== this.options.nodeId) return { owned: false, owner }
      throw new Error(`the lease of board ${boardId} lapsed while it was being claimed`)
    }
    this.owned.set(boardId, { epoch, renewedAt: lease.renewedAt })
    return { owned: true, epoch }
  }

  /** Lets the board go (after its last client left): others may claim it at once. */
  async release(boardId: string): Promise<void> {
    if (!this.owned.delete(boardId)) return
    await this.releaseLease(boardId)
  }

  /** Stops the timers and releases every lease and the registration (a graceful stop). */
  async stop(): Promise<void> {
    for (const stop of this.stops) stop()
    this.stops = []
    const boards = [...this.owned.keys()]
    this.owned.clear()
    await Promise.all(boards.map((b) => this.releaseLease(b)))
    await this.options.connection.client
      .del(this.options.connection.keys.node(this.options.nodeId))
      .catch(() => 0)
  }

  private async releaseLease(boardId: string): Promise<void> {
    const { connection } = this.options
    await connection
      .fcall('lease_release', [connection.keys.prefix, boardId, this.me])
      .catch((error: unknown) => {
        // A lease that cannot be released lapses by itself.
        this.options.onError?.(error as Error)
      })
  }

  private async register(starting: boolean): Promise<void> {
    const { connection, nodeId } = this.options
    const started = this.monotonic()
    try {
      const entry = JSON.stringify({
        incarnation: this.incarnation,
        pid: process.pid,
        startedAt: this.startedAt,
      })
      const done = await connection.fcall('node_refresh', [
        connection.keys.prefix,
        encodeId(nodeId),
        entry,
        this.nodeTtlMs,
        starting ? '1' : '0',
      ])
      if (done === 1) this.registeredAt = Math.max(this.registeredAt, started)
      else for (const boardId of [...this.owned.keys()]) this.lose(boardId, 'replaced')
    } catch (error) {
      if (starting) throw error
      this.options.onError?.(error as Error)
    }
  }

  private tick(): () => void {
    let count = 0
    return () => {
      const urgent = this.fence()
      if (urgent) void this.register(false)
      if (urgent || count++ % 2 === 0) void this.renew(urgent)
    }
  }

  /**
   * Stops serving boards whose lease this node can no longer vouch for. Returns true when it
   * kept some after a stall, on doubt: they are to be renewed at once, and that renewal's answer
   * decides (a lease someone else holds is lost as 'taken').
   */
  private fence(): boolean {
    const now = this.monotonic()
    const period = this.leaseMs / 10
    if (now - this.checkedAt > 2 * period) this.stalledAt = now
    this.checkedAt = now
    // 'ok', 'doubt' (overdue, but the loop was stalled: renew and let the answer decide) or
    // 'fence', for something renewed `age` ms ago that lives `ttl` ms. Under overload stalls
    // come one after another with a few checks on time between them, and a renewal's answer
    // waits unread behind seconds of socket reads. So doubt holds until the checks have run on
    // time for lease/2 (time enough to read any answer), up to STALLED_LEASES leases; then
    // what is still unrenewed is fenced.
    const stalled = now - this.stalledAt < this.leaseMs / 2
    const verdict = (age: number, ttl: number) =>
      age < ttl / 2 ? 'ok' : stalled && age < STALLED_LEASES * ttl ? 'doubt' : 'fence'
    const registration = verdict(now - this.registeredAt, this.nodeTtlMs)
    let doubt = registration === 'doubt'
    for (const [boardId, { renewedAt }] of [...this.owned]) {
      const lease = verdict(now - renewedAt, this.leaseMs)
      if (registration === 'fence' || lease === 'fence') this.lose(boardId, 'fenced')
      else if (lease === 'doubt') doubt = true
    }
    return doubt
  }

  /**
   * Renews every lease held. `urgent` (after a stall) runs even while another renewal is still
   * unanswered, and takes back a lease that lapsed meanwhile if nobody holds it.
   */
  private async renew(urgent = false): Promise<void> {
    if (this.owned.size === 0 && this.pending.size === 0) return
    if (this.renewing && !urgent) return
    this.renewing = true
    const { connection } = this.options
    const started = this.monotonic()
    const boards = [...this.owned.keys(), ...this.pending.keys()]
    try {
      // A few calls for all the boards, not one per board: a node serving a thousand boards
      // would otherwise send a thousand calls every lease/5, and be late renewing them.
      const chunks: string[][] = []
      for (let i = 0; i < boards.length; i += RENEW_CHUNK)
        chunks.push(boards.slice(i, i + RENEW_CHUNK))
      const results = await Promise.allSettled(
        chunks.map((chunk) =>
          connection.fcall('lease_renew_many', [
            connection.keys.prefix,
            this.me,
            this.leaseMs,
            urgent ? '1' : '0',
            ...chunk,
          ]),
        ),
      )
      results.forEach((result, c) => {
        // A failed call renews none of its boards; they are fenced if that lasts (fence()).
        if (result.status !== 'fulfilled') return
        const answers = result.value as number[]
        ;(chunks[c] as string[]).forEach((boardId, i) => {
          const owned = this.owned.get(boardId)
          const pending = this.pending.get(boardId)
          if (answers[i] === 1) {
            // An urgent renewal may answer before an older one: keep the later start.
            if (owned) owned.renewedAt = Math.max(owned.renewedAt, started)
            if (pending) pending.renewedAt = Math.max(pending.renewedAt, started)
          } else if (owned) this.lose(boardId, 'taken')
          else if (pending) pending.lost = true
        })
      })
    } finally {
      this.renewing = false
    }
  }

  private lose(boardId: string, why: OwnershipLoss): void {
    if (!this.owned.delete(boardId)) return
    // If the lease is still ours (slow renewals, not a partition), others need not wait for it.
    if (why === 'fenced') void this.releaseLease(boardId)
    for (const listener of [...this.lostListeners]) listener(boardId, why)
  }
}
