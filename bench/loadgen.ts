/**
 * Load generator child process (forked by run.ts). It hosts every simulated client of
 * one case, so all clients share one clock and latencies need no clock sync. It also
 * watches its own event-loop lag and CPU: if those saturate, the figures describe the
 * load generator, not the server, and the table says so.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { ClientLog } from './lib/client.ts'
import { SCENARIOS } from './scenarios/index.ts'
import type { LoadgenIO, Metrics } from './scenarios/types.ts'
import { round } from './stats.ts'

export type ToLoadgen =
  | {
      type: 'run'
      scenario: string
      params: unknown
      urls: string[]
      tokens: string[]
      timeoutMs: number
    }
  | { type: 'ack'; seq: number; data: Record<string, unknown> }

export type FromLoadgen =
  | { type: 'mark'; seq: number; name: string; data: Record<string, unknown> }
  | { type: 'result'; metrics: Metrics }
  | { type: 'error'; message: string }

function send(msg: FromLoadgen): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) throw new Error('loadgen must be started with an IPC channel (fork)')
    process.send(msg, undefined, {}, () => resolve())
  })
}

const pendingAcks = new Map<number, (data: Record<string, unknown>) => void>()
let nextSeq = 1

function makeIO(
  log: ClientLog,
  deadline: number,
  extra: Metrics,
  tokens: readonly string[],
): LoadgenIO {
  // The histogram records whole timer intervals, so each sample includes the resolution;
  // it is subtracted below to report lag beyond the expected wake-up.
  const LAG_RESOLUTION_MS = 10
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
  let cpu0 = process.cpuUsage()
  let t0 = 0
  const io: LoadgenIO = {
    log,
    deadline,
    tokens,
    async mark(name, data = {}) {
      const seq = nextSeq++
      const acked = new Promise<Record<string, unknown>>((r) => pendingAcks.set(seq, r))
      await send({ type: 'mark', seq, name, data })
      return acked
    },
    async windowStart() {
      await io.mark('window:start')
      lag.reset()
      lag.enable()
      cpu0 = process.cpuUsage()
      t0 = performance.now()
    },
    async windowEnd() {
      lag.disable()
      const cpu = process.cpuUsage(cpu0)
      const wallUs = (performance.now() - t0) * 1000
      extra.loadgenLagP99Ms = round(Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS))
      extra.loadgenLagMaxMs = round(Math.max(0, lag.max / 1e6 - LAG_RESOLUTION_MS))
      extra.loadgenCpuCores = round((cpu.user + cpu.system) / wallUs)
      await io.mark('window:end')
    },
  }
  return io
}

function summarize(rec: Record<string, number>): string {
  const parts = Object.entries(rec).map(([k, v]) => `${k}×${v}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

async function run(msg: Extract<ToLoadgen, { type: 'run' }>): Promise<void> {
  const scenario = SCENARIOS.find((s) => s.name === msg.scenario)
  if (!scenario) throw new Error(`unknown scenario ${msg.scenario}`)
  const log = new ClientLog()
  const extra: Metrics = {}
  const io = makeIO(log, performance.now() + msg.timeoutMs, extra, msg.tokens)
  const metrics = await scenario.drive(msg.params, msg.urls, io)
  await send({
    type: 'result',
    metrics: {
      ...metrics,
      ...extra,
      unexpectedCloses: summarize(log.unexpectedCloses),
      clientErrors: summarize(log.errors),
      authDenied: log.authDenied,
    },
  })
}

// If the orchestrator goes away there is no one to report to: stop rather than linger.
process.on('disconnect', () => process.exit(1))

process.on('message', (raw: ToLoadgen) => {
  if (raw.type === 'ack') {
    pendingAcks.get(raw.seq)?.(raw.data)
    pendingAcks.delete(raw.seq)
    return
  }
  run(raw).then(
    () => process.exit(0),
    async (err: unknown) => {
      await send({
        type: 'error',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      })
      process.exit(1)
    },
  )
})
