/** `npm run admin -- <command>`: operator work on the data folder (see admin/commands.ts). */
import { configFromEnv, ConfigError, parseEnv } from './config.ts'
import { runAdmin, usage, UsageError } from './admin/commands.ts'

try {
  const config = configFromEnv(parseEnv(process.env), undefined)
  await runAdmin(process.argv.slice(2), {
    dataDir: config.dataDir,
    publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
    jwtSecret: config.jwtSecret,
    sync: config.syncMode,
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
  throw error
}
