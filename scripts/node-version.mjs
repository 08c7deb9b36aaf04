// The Node version check shared by `npm start` (scripts/start.mjs) and server/main.ts. Plain
// JavaScript with no imports beyond node:fs, so it runs before anything that an old Node could
// choke on (tsx, the server's modules).
import { readFileSync } from 'node:fs'

/** package.json's `engines.node`, e.g. ">=20.19". */
export function requiredNode() {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return pkg.engines.node
}

const parts = (text) => {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text.trim())
  if (!match) return null
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)]
}

/**
 * Why `version` (like process.version, "v20.18.1") does not satisfy `range` (a ">=X.Y.Z"
 * minimum, the only form package.json uses), or null when it does.
 */
export function nodeVersionProblem(version, range) {
  const minimum = /^\s*>=\s*(\S+)\s*$/.exec(range)
  const wanted = minimum ? parts(minimum[1]) : null
  if (!wanted) throw new Error(`unsupported engines.node range ${JSON.stringify(range)}`)
  const have = parts(version)
  if (have) {
    for (let i = 0; i < 3; i++) {
      if (have[i] > wanted[i]) return null
      if (have[i] < wanted[i]) break
      if (i === 2) return null
    }
  }
  return (
    `Loupe needs Node ${range.trim()} (package.json "engines"), but this is Node ${version}. ` +
    'Install a newer Node (https://nodejs.org) and run it again.'
  )
}
