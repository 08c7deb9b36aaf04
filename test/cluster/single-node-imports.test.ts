/**
 * Single-machine mode must not load cluster mode's drivers: a home install neither needs nor
 * pays for pg or ioredis. The check walks the static import graph (as esbuild resolves it) of
 * the entry and of the server it starts (main.ts loads server.ts with import() once the Node
 * version is checked); cluster code may still be reached through an import() that only runs
 * when cluster mode is configured.
 */
import { build, type Metafile } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const ENTRIES = ['server/main.ts', 'server/server.ts']
const CLUSTER_PACKAGES = /^(pg|pg-[\w-]+|ioredis)(\/|$)/

/** Every package reached from `entries` through static imports only, with the path that reached it. */
function staticPackages(metafile: Metafile, entries: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>()
  const seen = new Set<string>(entries)
  const queue: Array<[string, string[]]> = entries.map((entry) => [entry, [entry]])
  while (queue.length > 0) {
    const [file, path] = queue.shift() as [string, string[]]
    for (const edge of metafile.inputs[file]?.imports ?? []) {
      if (edge.kind === 'dynamic-import') continue
      if (edge.external) {
        if (!found.has(edge.path)) found.set(edge.path, path)
      } else if (!seen.has(edge.path)) {
        seen.add(edge.path)
        queue.push([edge.path, [...path, edge.path]])
      }
    }
  }
  return found
}

describe('single-machine import graph', () => {
  it('reaches neither pg nor ioredis from server/main.ts or server.ts without a dynamic import', async () => {
    const { metafile } = await build({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outdir: 'unwritten',
      write: false,
      metafile: true,
      logLevel: 'silent',
    })
    const packages = staticPackages(metafile, ENTRIES)
    expect(packages.has('better-sqlite3')).toBe(true)
    const cluster = [...packages].filter(([name]) => CLUSTER_PACKAGES.test(name))
    expect(cluster.map(([name, path]) => `${name} via ${path.join(' → ')}`)).toEqual([])
  })
})
