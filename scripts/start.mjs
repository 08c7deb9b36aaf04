// `npm start`: check the Node version, build the web client and the server if they are
// missing or out of date, then run the compiled server in this process (so signals reach it
// directly and a second start is quick).
import { nodeVersionProblem, requiredNode } from './node-version.mjs'

const problem = nodeVersionProblem(process.version, requiredNode())
if (problem) {
  console.error(problem)
  process.exit(1)
}

const { buildClientIfNeeded } = await import('./client-build.mjs')
const { buildServerIfNeeded } = await import('./server-build.mjs')
const status = buildClientIfNeeded() || (await buildServerIfNeeded())
if (status !== 0) process.exit(status)
await import('../build/main.mjs')
