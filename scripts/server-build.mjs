// Builds the server into build/ as plain JavaScript when it is missing or older than its
// sources, so `npm start` runs compiled code instead of compiling TypeScript at every start
// through tsx (which alone costs about 60 MB of memory for the life of the process).
//
// build/ sits one level below the root, like server/, so the paths the code resolves from
// `import.meta.url` (../package.json, ../client/dist, ./update-worker.mjs) hold in both.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { newestSource } from './newest-source.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const outdir = join(root, 'build')
/**
 * Packages compiled into the build rather than loaded from node_modules at start: plain ES
 * modules the server holds all its life. One bundle is parsed once and keeps one module record
 * instead of hundreds: about 3.5 MB less memory at rest. Everything else stays external:
 * native modules (better-sqlite3) cannot be bundled, and CommonJS ones (ws, pino, prom-client)
 * load their own files at run time. Yjs is bundled with everything that imports it, so there
 * is one copy. Whitespace and syntax are minified, names are not: V8 keeps every module's
 * source for the life of the process (about 1.5 MB less at rest, 1.7 → 1.2 MB of source),
 * and profiles and stack traces still name every function (the linked source maps give lines).
 */
const BUNDLED = new Set([
  'yjs',
  'lib0',
  'y-protocols',
  'hono',
  '@hono/node-server',
  'zod',
  'jose',
  'fractional-indexing',
])

/** esbuild plugin: a bare import is external unless its package is in BUNDLED. */
const externalUnlessBundled = {
  name: 'external-unless-bundled',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const parts = args.path.split('/')
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
      return name && BUNDLED.has(name) ? undefined : { path: args.path, external: true }
    })
  },
}

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
    const { outputFiles } = await build({
      entryPoints,
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      plugins: [externalUnlessBundled],
      legalComments: 'none',
      charset: 'ascii',
      minifyWhitespace: true,
      minifySyntax: true,
      platform: 'node',
      format: 'esm',
      // What is imported dynamically (cluster mode with its PostgreSQL and Redis clients) is a
      // chunk of its own, loaded only when imported: bundled into main.mjs, its external
      // imports were hoisted to the top and loaded at every start (about 5 MB at rest).
      splitting: true,
      // Beside main.mjs, so paths resolved from import.meta.url hold in every chunk too.
      chunkNames: '[name]-[hash]',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
      write: false,
    })
    for (const file of outputFiles) {
      mkdirSync(dirname(file.path), { recursive: true })
      writeFileSync(file.path, file.path.endsWith('.mjs') ? asciiOnly(file.text) : file.contents)
    }
    pruneOldChunks(outdir, new Set(outputFiles.map((file) => file.path)))
    return 0
  } catch (error) {
    log(`The server build failed: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  }
}

/** A server started from an earlier build may still import its chunks this long after. */
const KEEP_OLD_CHUNKS_MS = 7 * 24 * 60 * 60 * 1000

/**
 * Chunks are named by their content, so each build's would pile up; but a server already
 * running from an earlier build loads its chunks when it first needs them (cluster mode, the
 * metrics), by the names its main.mjs knows. So a file of `dir` this build did not write is
 * removed only once it is a week old.
 * @param {string} dir
 * @param {Set<string>} written paths this build wrote
 * @param {number} now
 */
export function pruneOldChunks(dir, written, now = Date.now()) {
  const before = now - KEEP_OLD_CHUNKS_MS
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (!written.has(path) && statSync(path).mtimeMs < before)
      rmSync(path, { recursive: true, force: true })
  }
}

/**
 * V8 keeps a module's source in memory, as one byte per character only if every character is
 * Latin-1: a single dash in a comment doubles the 1.6 MB bundle's footprint. esbuild already
 * escapes strings, templates and regular expressions (`charset: 'ascii'`); what is left is in
 * comments, where an escape changes nothing.
 * @param {string} text
 */
function asciiOnly(text) {
  return text.replace(/[\u0080-\u{10ffff}]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`)
}
