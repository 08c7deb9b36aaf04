/**
 * A scenario has two halves that run in different processes: `drive` runs in the load
 * generator child, `onMark` (optional) in the orchestrator, which owns the servers. They
 * meet through named marks sent over IPC.
 */
import type { ServerHandle } from '../servers.ts'
import type { ClientLog } from '../lib/client.ts'

export type Metric = number | string | null
export type Metrics = Record<string, Metric>

export interface MetricRow {
  key: string
  label: string
  /** Decimal places when printed. */
  digits?: number
}

export interface LoadgenIO {
  readonly log: ClientLog
  /** performance.now() by which drive() must have returned. */
  readonly deadline: number
  /** Sends a mark to the orchestrator and waits for its answer. */
  mark(name: string, data?: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Starts the measured window: server CPU/RSS sampling and this process's loop-lag monitor. */
  windowStart(): Promise<void>
  /** Ends it; the load generator's own figures are added to the result automatically. */
  windowEnd(): Promise<void>
  /** Access tokens of the case's accounts (`Case.accounts`; Loupe with auth only), else empty. */
  readonly tokens: readonly string[]
}

export interface MarkOutcome {
  /** Sent back to drive() as mark()'s result. */
  ack?: Record<string, unknown>
  /** Merged into the case's result row. */
  metrics?: Metrics
}

export interface Case<P> {
  /** Distinguishes cases of one scenario in the table, e.g. "N=200". */
  label: string
  params: P
  /** How many rooms to create; drive() receives one URL per room. */
  rooms: number
  /** Hard bound on the load generator for this case. */
  timeoutMs: number
  /** Extra environment for Loupe only (limits a case must lift); shown in the notes. */
  loupeEnv?: Record<string, string>
  /** Loupe runs with accounts on, and this many people are made (their tokens: `io.tokens`). */
  accounts?: number
  /** The reference keeps its documents with its own y-leveldb persistence (YPERSISTENCE). */
  referencePersist?: boolean
}

/**
 * Besides its own figures, drive() returns `work` (units of work the server did inside the
 * measured window: deliveries, requests…) and `workUnit` (what one is): the orchestrator puts
 * the server's CPU per unit beside every latency (`serverCpuPerWorkUs`).
 */
export interface Scenario<P> {
  name: string
  title: string
  cases(quick: boolean): Case<P>[]
  rows: MetricRow[]
  drive(params: P, urls: string[], io: LoadgenIO): Promise<Metrics>
  onMark?(name: string, server: ServerHandle, data: Record<string, unknown>): Promise<MarkOutcome>
  /** Table footnotes (e.g. what the reference figure means when it is not the same measure). */
  notes?: string[]
  /** Set when the reference cannot run this scenario: the reason shown in its column. */
  loupeOnly?: string
}

/**
 * The sizes a scenario runs at: the comma-separated numbers in the environment variable `name`
 * when it is set (e.g. BENCH_FANOUT_N=200,1000), else the quick or the full list.
 */
export function sizesFromEnv(
  name: string,
  quick: boolean,
  sizes: { quick: number[]; full: number[] },
): number[] {
  const text = process.env[name]
  if (text) return text.split(',').map(Number)
  return quick ? sizes.quick : sizes.full
}
