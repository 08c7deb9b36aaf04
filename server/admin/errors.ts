/** Errors of the operator commands; admin.ts maps them to exit codes. */

/** The command line is wrong (exit 2, with the usage text). */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The command is well formed but refused or failed, with a message for the operator (exit 1). */
export class AdminError extends Error {
  override name = 'AdminError'
}
