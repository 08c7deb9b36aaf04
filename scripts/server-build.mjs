// Builds the server into build/ as plain JavaScript when it is missing or older than its
// sources, so `npm start` runs compiled code instead of compiling TypeScript at every start
// through tsx (which alone costs about 60 MB of memory for the life of the process).
//
// build/ sits one level below the root, like server/, so the paths the code resolves from
// `import.meta.url` (../package.json, ../client/dist, ./update-worker.mjs) hold in both.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newestSource } from './newest-source.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'build')
/** What the build produces: the server, and the worker thread it starts by file name. */
const entryPoints = {
  main: join(root, 'server/main.ts'),
  'update-worker': join(root, 'server/realtime/update-worker.mjs'),
}

export function serverIsCurrent() {
  const built = Object.keys(entryPoints).map((name) => join(outdir, `${name}.mjs`))
  if (!built.every(existsSync)) return false
  const sources = ['server', 'shared', 'scripts'].map((d) => newestSource(join(root, d)))
  const inputs = ['package.json', 'package-lock.json'].map((f) => statSync(join(root, f)).mtimeMs)
  return Math.min(...built.map((f) => statSync(f).mtimeMs)) >= Math.max(...sources, ...inputs)
}

/** Returns 0 when the build is current (built now or before), 1 when it failed. */
export async function buildServerIfNeeded(log = console.log) {
  if (serverIsCurrent()) return 0
  log('Building the server…')
  const { build } = await import('esbuild')
  try {
    await build({
      entryPoints,
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Dependencies stay in node_modules: native ones (better-sqlite3) cannot be bundled,
      // and every package keeps its own resolution, as under tsx.
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
    })
    return 0
  } catch (error) {
    log(`The server build failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}
