// When a build is stale: the newest modification time under a folder, for comparing a build's
// output with the sources it came from (client-build.mjs, server-build.mjs).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The newest mtime (ms) of any file below `dir`. */
export function newestSource(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}
