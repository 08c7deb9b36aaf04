/**
 * Workspace roles, weakest first (docs/product.md, "Document socket" and "HTTP API"). A reviewer
 * comments, draws their own annotations and records their own verdicts; the server enforces that
 * on the document (server/realtime/role-guard.ts).
 */
export type Role = 'owner' | 'editor' | 'reviewer' | 'viewer'
export const roles: readonly Role[] = ['viewer', 'reviewer', 'editor', 'owner']

export function isRole(value: unknown): value is Role {
  return roles.includes(value as Role)
}

/** True when `role` grants at least what `minimum` does. */
export function atLeast(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum)
}
