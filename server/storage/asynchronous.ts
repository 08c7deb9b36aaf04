/**
 * The asynchronous face of a synchronous SQLite repository: the same methods, each returning
 * a promise. Cluster mode's PostgreSQL repositories implement `Asynchronous<SqliteClass>`, so
 * a method added to the SQLite class fails to compile until PostgreSQL has it too; the SQLite
 * class stays synchronous for its callers and is adapted by `asynchronous(instance)`.
 */

export type Asynchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never
}

/**
 * Wraps every public method of `target` (found on its prototype) to return a promise.
 * `check`, if given, runs before each call and may refuse it by throwing (a transaction's
 * repositories refuse calls once it has ended).
 */
export function asynchronous<T extends object>(target: T, check?: () => void): Asynchronous<T> {
  const wrapped: Record<string, unknown> = {}
  const prototype = Object.getPrototypeOf(target) as object
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const method = (target as Record<string, unknown>)[name]
    if (name === 'constructor' || typeof method !== 'function') continue
    wrapped[name] = async (...args: unknown[]) => {
      check?.()
      return method.apply(target, args)
    }
  }
  return wrapped as Asynchronous<T>
}
