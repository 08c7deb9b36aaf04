/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. a bench server started with
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"): the functions with the most self time, and
 * the busy share of each (idle and GC are shown apart, so the shares are of the work).
 *
 *   node --import tsx bench/cpu-profile.ts DIR/CPU.*.cpuprofile [--top=25] [--inclusive]
 *
 * --inclusive ranks by total time instead (the function and everything it called), which
 * shows which path of ours the native time (socket writes, SQLite) is spent under.
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const args = process.argv.slice(2)
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25)
const inclusive = args.includes('--inclusive')
const files = args.filter((a) => !a.startsWith('--'))
if (files.length === 0) {
  console.error('usage: node --import tsx bench/cpu-profile.ts <file.cpuprofile>… [--top=N]')
  process.exit(2)
}

/** Where a function lives, short: the package for dependencies, the file for our own code. */
function where(url: string, line: number): string {
  if (!url) return ''
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0)
    return url
      .slice(nm + 'node_modules/'.length)
      .split('/')
      .slice(0, 2)
      .join('/')
  return `${basename(url)}:${line + 1}`
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const keyOf = (node: ProfileNode): string =>
    `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url, node.callFrame.lineNumber)}`.trim()
  // Self time per node from the samples and their time deltas (µs).
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const byName = new Map<string, number>()
  let total = 0
  let idle = 0
  let gc = 0
  for (const [id, us] of self) {
    const node = byId.get(id)
    if (!node) continue
    total += us
    const name = node.callFrame.functionName || '(anonymous)'
    if (name === '(idle)') {
      idle += us
      continue
    }
    if (name === '(garbage collector)') gc += us
    if (!inclusive) {
      const key = keyOf(node)
      byName.set(key, (byName.get(key) ?? 0) + us)
      continue
    }
    // Every distinct function on the stack gets the sample once (recursion counted once).
    const onStack = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)
      if (frame) onStack.add(keyOf(frame))
    }
    for (const key of onStack) byName.set(key, (byName.get(key) ?? 0) + us)
  }
  const busy = total - idle
  console.log(
    `\n${basename(file)}: ${(total / 1e6).toFixed(2)} s profiled, busy ${(busy / 1e6).toFixed(2)} s (GC ${((100 * gc) / Math.max(1, busy)).toFixed(1)} % of busy)`,
  )
  console.log(`| ${inclusive ? 'total' : 'self'} ms | % of busy | function |`)
  console.log('|---:|---:|---|')
  for (const [key, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `| ${(us / 1000).toFixed(0)} | ${((100 * us) / Math.max(1, busy)).toFixed(1)} | ${key.replaceAll('|', '\\|')} |`,
    )
}
