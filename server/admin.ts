/**
 * `npm run admin -- <command>`: operator work on the data folder (see admin/commands.ts). The
 * environment is read through `loadConfig`, exactly as the server reads it (main.ts).
 */
import { ConfigError, loadConfig } from './config.ts'
import { AdminError, runAdmin, usage, UsageError } from './admin/commands.ts'

try {
  await runAdmin(process.argv.slice(2), {
    config: loadConfig(process.env),
    print: (line) => console.log(line),
  })
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${usage}`)
    process.exit(2)
  }
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(2)
  }
  if (error instanceof AdminError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
