/**
 * What this device remembers for offline use (localStorage): who I am, my workspaces, their
 * boards and members, each board's row. Offline, a reload still names people and boards
 * instead of "someone".
 */
export function remember(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value))
  } catch {
    // Storage full or blocked (private mode): the app works, it only forgets more offline.
  }
}

export function remembered<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key)
    return raw ? (JSON.parse(raw) as T) : null
  } catch {
    return null
  }
}

/** Runs `load`, remembers its answer, and falls back to the remembered one when it fails. */
export async function withMemory<T>(key: string, load: () => Promise<T>): Promise<T | null> {
  try {
    const value = await load()
    remember(key, value)
    return value
  } catch {
    return remembered<T>(key)
  }
}
