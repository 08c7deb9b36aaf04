/**
 * BENCH_NODE_CPU=<cores> caps each Loupe process at that many cores, with a CPU quota of its own
 * (a cgroup v1 `cpu` group; the bench runs as root). Several nodes on this one machine then
 * behave like nodes on small machines of their own, and the scale-out bench measures what the
 * design carries per node rather than what the shared machine's two cores carry. PostgreSQL,
 * Redis and the load generator stay uncapped.
 */
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const CPU_CGROUPS = '/sys/fs/cgroup/cpu'
// A short period, so a throttled node waits milliseconds, not tens of them, for its next share.
const PERIOD_US = 20_000

/** The cap asked for, in cores, or null. */
export function nodeCpuCap(): number | null {
  const text = process.env.BENCH_NODE_CPU
  if (!text) return null
  const cores = Number(text)
  if (!(cores > 0)) throw new Error(`BENCH_NODE_CPU must be a number of cores above 0, not ${text}`)
  if (!existsSync(join(CPU_CGROUPS, 'cgroup.procs')))
    throw new Error(`BENCH_NODE_CPU needs the cgroup v1 cpu controller at ${CPU_CGROUPS}`)
  return cores
}

/** Moves the process (all its threads) into a group of its own capped at `cores`; returns the cleanup. */
export function capCpu(pid: number, cores: number): () => void {
  const group = join(CPU_CGROUPS, `loupe-bench-${pid}`)
  mkdirSync(group)
  writeFileSync(join(group, 'cpu.cfs_period_us'), String(PERIOD_US))
  writeFileSync(join(group, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)))
  writeFileSync(join(group, 'cgroup.procs'), String(pid))
  // Called once the process exited: the group is empty and can go.
  return () => rmdirSync(group)
}
