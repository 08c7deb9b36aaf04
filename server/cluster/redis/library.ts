/**
 * The `loupe` Redis Functions library: the Lua files of this folder joined into one library
 * (helpers first, so every function shares them), loaded with `FUNCTION LOAD REPLACE` on every
 * connect. Functions, unlike EVALSHA scripts, are one named library that replaces itself
 * idempotently, and a lost library is reloaded on demand (connection.ts), so NOSCRIPT-style
 * failures never reach a caller.
 */
import { existsSync, readFileSync } from 'node:fs'

export const LIBRARY_NAME = 'loupe'

const FILES = ['lock-core.lua', 'lock-functions.lua', 'cluster-functions.lua'] as const

/**
 * Under tsx this module sits beside its Lua files. Bundled into build/ (scripts/server-build.mjs),
 * it does not; build/ is one level below the root like server/, so the sources are found there.
 */
function luaFolder(): URL {
  const here = new URL('.', import.meta.url)
  if (existsSync(new URL(FILES[0], here))) return here
  return new URL('../server/cluster/redis/', here)
}

let cached: string | null = null

export function librarySource(): string {
  if (cached === null) {
    const folder = luaFolder()
    const parts = FILES.map((file) => readFileSync(new URL(file, folder), 'utf8'))
    cached = [`#!lua name=${LIBRARY_NAME}`, ...parts].join('\n')
  }
  return cached
}
