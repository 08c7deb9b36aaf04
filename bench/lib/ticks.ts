/**
 * Timestamped entries ("ticks") that writers push into a Y.Array, and a cheap way for
 * receivers to read them back out of an update without keeping a Y.Doc each.
 */
import * as Y from 'yjs'

export interface Tick {
  /** Sequence number per writer. */
  s: number
  /** Send time, nowMs() in the load generator. */
  t: number
  /** Writer index, so receivers can skip their own echoes and attribute deliveries. */
  w: number
}

export const TICKS_KEY = 'bench-ticks'

export function pushTick(doc: Y.Doc, tick: Tick): void {
  doc.getArray<Tick>(TICKS_KEY).push([tick])
}

function isTick(v: unknown): v is Tick {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o.s === 'number' && typeof o.t === 'number' && typeof o.w === 'number'
}

/**
 * Decodes ticks from an update. Every receiver in a room gets byte-identical relays, so
 * decoded results are cached by content: the first receiver pays for Y.decodeUpdate and
 * the rest a map lookup. Arrival times are taken before this runs, so caching changes
 * only how much CPU the load generator burns, not the measured latency.
 */
export class TickDecoder {
  private cache = new Map<string, Tick[]>()

  decode(update: Uint8Array): Tick[] {
    const key = Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString('latin1')
    const hit = this.cache.get(key)
    if (hit) return hit
    const out: Tick[] = []
    for (const s of Y.decodeUpdate(update).structs) {
      if (s instanceof Y.Item && s.content instanceof Y.ContentAny) {
        for (const v of s.content.arr as unknown[]) if (isTick(v)) out.push(v)
      }
    }
    // Bounded: old entries are only useful while a relay is still fanning out.
    if (this.cache.size > 20_000) this.cache.clear()
    this.cache.set(key, out)
    return out
  }
}
