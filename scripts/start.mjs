// `npm start`: check the Node version, build the web client if it is missing or out of date,
// then run the server in this process (so signals reach it directly and a second start is
// quick).
import { nodeVersionProblem, requiredNode } from './node-version.mjs'

const problem = nodeVersionProblem(process.version, requiredNode())
if (problem) {
  console.error(problem)
  process.exit(1)
}

const { buildClientIfNeeded } = await import('./client-build.mjs')
const status = buildClientIfNeeded()
if (status !== 0) process.exit(status)
await import('tsx/esm')
await import('../server/main.ts')
