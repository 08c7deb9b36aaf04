/** Small bounded-time helpers: every wait in the suite has a deadline so a run always ends. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls until pred() is true or the deadline passes; resolves to whether pred() held. */
export async function waitUntil(
  pred: () => boolean,
  timeoutMs: number,
  pollMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!pred()) {
    if (performance.now() >= deadline) return false
    await sleep(pollMs)
  }
  return true
}

/**
 * Runs fn over items with at most `limit` in flight. Used for handshakes and board
 * creation, whose unbounded bursts would time out or measure the burst, not the server.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/** Rejects with `what` after ms; the timer is cleared when the promise settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/** Calls fn every periodMs for durationMs on a drift-free schedule; resolves when done. */
export async function every(
  periodMs: number,
  durationMs: number,
  fn: (tick: number) => void,
): Promise<number> {
  const start = performance.now()
  let tick = 0
  while (tick * periodMs < durationMs) {
    fn(tick)
    tick++
    const due = start + tick * periodMs
    await sleep(Math.max(0, due - performance.now()))
  }
  return tick
}
