import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeVersionProblem, requiredNode } from '../scripts/node-version.mjs'
import { cleanup, tempDir } from './harness.ts'

const children: ChildProcess[] = []
afterEach(async () => {
  // A server that (wrongly) started is stopped by its pid.
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await cleanup()
})

/** Runs an entry in a real Node that reports an older `process.version` to the code. */
async function runAs(version: string, args: string[], dataDir: string) {
  const pretend = `data:text/javascript,Object.defineProperty(process,"version",{value:${JSON.stringify(version)}})`
  const child = spawn(process.execPath, ['--import', pretend, ...args], {
    env: { ...process.env, LOUPE_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stderr }
}

describe('the Node version check of npm start and server/main.ts', () => {
  it("reads package.json's engines", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }
    expect(requiredNode()).toBe(pkg.engines.node)
    expect(requiredNode()).toBe('>=20.19')
  })

  it('accepts versions at or above the minimum', () => {
    for (const version of ['v20.19.0', 'v20.19.5', 'v20.20.2', 'v21.0.0', 'v22.12.0', 'v24.1.0'])
      expect(nodeVersionProblem(version, '>=20.19'), version).toBeNull()
    expect(nodeVersionProblem(process.version, requiredNode())).toBeNull()
    expect(nodeVersionProblem('v20.19.3', '>=20.19.3')).toBeNull()
  })

  it('refuses older versions, saying what is needed and what is running', () => {
    for (const version of ['v20.18.3', 'v20.0.0', 'v19.9.0', 'v18.20.4', 'v16.20.2', 'v0.12.0']) {
      const problem = nodeVersionProblem(version, '>=20.19')
      expect(problem, version).toContain('Loupe needs Node >=20.19')
      expect(problem).toContain(`this is Node ${version}`)
    }
    expect(nodeVersionProblem('v20.19.2', '>=20.19.3')).not.toBeNull()
    expect(nodeVersionProblem('not a version', '>=20.19')).not.toBeNull()
    expect(() => nodeVersionProblem('v22.0.0', '^20')).toThrow(/unsupported engines.node range/)
  })
  it('npm start and server/main.ts exit 1 with the message before doing anything', async () => {
    for (const args of [['scripts/start.mjs'], ['--import', 'tsx', 'server/main.ts']]) {
      const dataDir = join(tempDir(), 'data')
      const { code, stderr } = await runAs('v20.18.1', args, dataDir)
      expect(code, args.join(' ')).toBe(1)
      expect(stderr).toContain(
        'Loupe needs Node >=20.19 (package.json "engines"), but this is Node v20.18.1',
      )
      // It stopped before the server opened (and created) its data folder.
      expect(existsSync(dataDir)).toBe(false)
    }
  }, 30_000)
})
