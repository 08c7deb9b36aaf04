/** Workspace roles, weakest first (docs/product.md, "HTTP API"). */
export type Role = 'owner' | 'editor' | 'viewer'
export const roles: readonly Role[] = ['viewer', 'editor', 'owner']

export function isRole(value: unknown): value is Role {
  return value === 'owner' || value === 'editor' || value === 'viewer'
}

/** True when `role` grants at least what `minimum` does. */
export function atLeast(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum)
}
