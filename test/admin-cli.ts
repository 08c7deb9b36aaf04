/** The real admin CLI (`npm run admin -- ...`) as a child process, for tests of its exit codes. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `node --import tsx server/admin.ts <args>` with `env` over the test's environment. */
export async function adminCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, stdout, stderr }
}
