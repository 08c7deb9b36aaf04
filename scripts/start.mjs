// `npm start`: build the web client only if it is missing, then run the server in this
// process (so signals reach it directly and a second start is quick).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(`${root}client/dist/index.html`)) {
  console.log('Building the web client (first start only)…')
  const build = spawnSync(process.execPath, [`${root}node_modules/vite/bin/vite.js`, 'build'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
await import('tsx/esm')
await import('../server/main.ts')
