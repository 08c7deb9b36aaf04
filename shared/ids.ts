/**
 * Board and workspace ids: letters, digits, `-` and `_`, 1 to 64 characters (docs/product.md,
 * "HTTP API"). Clients may choose a board's id so a board made offline keeps it, so the
 * same rule guards every place an id enters: URLs, socket paths and request bodies.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value)
}

/** A random id in the same alphabet (URL-safe base64 of 12 random bytes: 16 characters). */
export function newId(): string {
  const bytes = new Uint8Array(12)
  globalThis.crypto.getRandomValues(bytes)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_')
}
