/**
 * Runs one case's load generator (`loadgen.ts`, forked) and measures the servers over the
 * window it marks: the first server's CPU and RSS as `server*` figures, and with `watch`, each
 * named process's CPU (cluster runs: every node, Redis, the database's PostgreSQL backends).
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './servers.ts'
import type { ServerHandle } from './servers.ts'
import { ResourceWindow } from './proc.ts'
import type { Metrics, Scenario } from './scenarios/types.ts'
import type { FromLoadgen, ToLoadgen } from './loadgen.ts'
import { round } from './stats.ts'

/** Grace on top of a case's own bound before the load generator is killed. */
const KILL_GRACE_MS = 30_000

/** A process whose CPU a window reports, under `cpuCores_<name>`. */
export interface Watched {
  name: string
  pid: number
}

export interface LoadgenRun {
  scenario: Scenario<unknown>
  params: unknown
  timeoutMs: number
  /** The server measured as `server*`, and the one the scenario's marks are answered with. */
  server: ServerHandle
  urls: string[]
  tokens: string[]
  /** Processes measured besides, read when the window starts (PostgreSQL's backends appear late). */
  watch?: () => Promise<Watched[]>
}

export function runLoadgen(run: LoadgenRun): Promise<Metrics> {
  const { scenario, server } = run
  const child: ChildProcess = fork(join(ROOT, 'bench', 'loadgen.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const serverMetrics: Metrics = {}
  let window: ResourceWindow | null = null
  let watched: Array<{ name: string; window: ResourceWindow }> = []

  return new Promise<Metrics>((resolve, reject) => {
    let settled = false
    const finish = (err: Error | null, m?: Metrics): void => {
      if (settled) return
      settled = true
      clearTimeout(killer)
      window?.stop()
      for (const w of watched) w.window.stop()
      if (child.exitCode === null) child.kill('SIGKILL')
      if (err) reject(err)
      else resolve({ ...m, ...serverMetrics })
    }
    const killer = setTimeout(
      () => finish(new Error(`load generator exceeded ${run.timeoutMs + KILL_GRACE_MS} ms`)),
      run.timeoutMs + KILL_GRACE_MS,
    )

    const onMark = async (
      name: string,
      data: Record<string, unknown>,
    ): Promise<Record<string, unknown>> => {
      if (name === 'window:start') {
        watched = ((await run.watch?.()) ?? []).map((p) => ({
          name: p.name,
          window: new ResourceWindow(p.pid, 1000),
        }))
        for (const w of watched) w.window.start()
        window = new ResourceWindow(server.pid)
        window.start()
        return {}
      }
      if (name === 'window:end') {
        const w = window?.stop()
        window = null
        if (w) {
          serverMetrics.serverCpuSeconds = round(w.cpuSeconds)
          serverMetrics.serverUserSeconds = round(w.userSeconds)
          serverMetrics.serverSystemSeconds = round(w.systemSeconds)
          serverMetrics.serverCpuCores = round(w.cpuCores)
          serverMetrics.serverRssPeakMiB = round(w.rssPeakMiB, 1)
        }
        // Processes of one name (PostgreSQL backends) are summed.
        const cores = new Map<string, number>()
        for (const { name: n, window: pw } of watched)
          cores.set(n, (cores.get(n) ?? 0) + (pw.stop().cpuCores ?? 0))
        for (const [n, c] of cores) serverMetrics[`cpuCores_${n}`] = round(c)
        watched = []
        return {}
      }
      const out = (await scenario.onMark?.(name, server, data)) ?? {}
      Object.assign(serverMetrics, out.metrics ?? {})
      return out.ack ?? {}
    }

    child.on('message', (msg: FromLoadgen) => {
      if (msg.type === 'mark') {
        onMark(msg.name, msg.data).then(
          (ack) => child.send({ type: 'ack', seq: msg.seq, data: ack } satisfies ToLoadgen),
          (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
        )
      } else if (msg.type === 'result') finish(null, msg.metrics)
      else finish(new Error(msg.message))
    })
    child.on('exit', (code) =>
      finish(new Error(`load generator exited with ${code} before reporting`)),
    )
    child.send({
      type: 'run',
      scenario: scenario.name,
      params: run.params,
      urls: run.urls,
      tokens: run.tokens,
      timeoutMs: run.timeoutMs,
    } satisfies ToLoadgen)
  })
}
