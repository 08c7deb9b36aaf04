/**
 * Server resource sampling from /proc (Linux only), read by the orchestrator so the
 * figures cover exactly the server process and nothing the load generator does.
 */
import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const CLK_TCK = readClockTicks()

function readClockTicks(): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return Number.isFinite(v) && v > 0 ? v : 100
  } catch {
    return 100
  }
}

/** utime and stime of the process (every thread), in seconds; null once the process is gone. */
export function cpuTimes(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces, so split after its closing paren.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    return { user: Number(rest[11]) / CLK_TCK, system: Number(rest[12]) / CLK_TCK }
  } catch {
    return null
  }
}

/** utime + stime of the process, in seconds; null once the process is gone. */
export function cpuSeconds(pid: number): number | null {
  const t = cpuTimes(pid)
  return t && t.user + t.system
}

/** Resident set size in MiB; null once the process is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return m?.[1] === undefined ? null : Number(m[1]) / 1024
  } catch {
    return null
  }
}

export interface WindowStats {
  cpuSeconds: number | null
  /** The same split into user space and the kernel (system calls: socket writes, fsync…). */
  userSeconds: number | null
  systemSeconds: number | null
  /** CPU time over wall time: 1.0 = one core fully busy. */
  cpuCores: number | null
  rssPeakMiB: number | null
  rssEndMiB: number | null
}

/**
 * Measures one window: CPU delta between start() and stop(), RSS peak sampled on an
 * interval in between (peaks shorter than the interval can be missed; 100 ms is a
 * compromise between resolution and reading /proc from a busy 2-core machine).
 */
export class ResourceWindow {
  private cpu0: { user: number; system: number } | null = null
  private t0 = 0
  private peak: number | null = null
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.cpu0 = cpuTimes(this.pid)
    this.t0 = performance.now()
    this.peak = rssMiB(this.pid)
    this.timer = setInterval(() => this.sample(), this.intervalMs)
  }

  private sample(): void {
    const r = rssMiB(this.pid)
    if (r !== null && (this.peak === null || r > this.peak)) this.peak = r
  }

  stop(): WindowStats {
    clearInterval(this.timer)
    this.sample()
    const cpu1 = cpuTimes(this.pid)
    const wall = (performance.now() - this.t0) / 1000
    const cpu0 = this.cpu0
    const user = cpu0 === null || cpu1 === null ? null : cpu1.user - cpu0.user
    const system = cpu0 === null || cpu1 === null ? null : cpu1.system - cpu0.system
    const used = user === null || system === null ? null : user + system
    return {
      cpuSeconds: used,
      userSeconds: user,
      systemSeconds: system,
      cpuCores: used === null || wall <= 0 ? null : used / wall,
      rssPeakMiB: this.peak,
      rssEndMiB: rssMiB(this.pid),
    }
  }
}
