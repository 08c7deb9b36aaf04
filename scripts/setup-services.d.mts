export declare const TEST_ROLE: string
export declare function postgresInstalled(): boolean
export declare function redisInstalled(env?: Record<string, string | undefined>): boolean
export declare function haproxyInstalled(): boolean
export declare function setupPostgres(options?: {
  install?: boolean
  env?: Record<string, string | undefined>
  log?: (line: string) => void
}): { url: string } | null
export declare function setupServices(options?: {
  env?: Record<string, string | undefined>
  log?: (line: string) => void
  warn?: (line: string) => void
}): void
export declare function aptInstall(log: (line: string) => void, packages: string[]): void
