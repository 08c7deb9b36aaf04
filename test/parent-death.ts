/**
 * Services a test starts (redis-server, HAProxy, Loupe nodes) must die with the test's
 * process however it ends: a test worker stopped by a signal runs no 'exit' handler, and
 * whatever it started would be left running. util-linux's setpriv (always there on Debian)
 * sets the child's parent-death signal; elsewhere the command runs as it is.
 */
import { existsSync } from 'node:fs'

const SETPRIV = '/usr/bin/setpriv'

/** `[command, args]` that run `binary` with `args`, killed when this process dies. */
export function dieWithParent(binary: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV)
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]]
    : [binary, args]
}
