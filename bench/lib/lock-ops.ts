/**
 * Lock requests (acquire, release) over Loupe's HTTP API or its live socket, behind one
 * interface, each answer classified as granted, refused (locked / not_holder) or error.
 */
import type { ClientLog } from './client.ts'
import type { LiveClient } from './live-client.ts'
import type { PostJson } from './http-post.ts'

/** 'granted' / 'refused' (locked, not_holder), an error label, or null: stop this client. */
export type Outcome = { kind: 'granted' | 'refused' | 'error'; label?: string; at: number } | null

export interface LockOps {
  acquire(key: string): Promise<Outcome>
  release(key: string): Promise<Outcome>
  close(): Promise<void>
}

const REFUSALS = new Set(['locked', 'not_holder'])

function classify(ok: boolean, code: string | undefined, at: number, label: string): Outcome {
  if (ok) return { kind: 'granted', at }
  if (code !== undefined && REFUSALS.has(code)) return { kind: 'refused', at }
  return { kind: 'error', label: `${label} ${code ?? '?'}`, at }
}

export function httpOps(post: PostJson, log: ClientLog): LockOps {
  const call = async (op: 'acquire' | 'release', key: string): Promise<Outcome> => {
    try {
      const r = await post(`/api/locks/${op}`, { key })
      let code: string | undefined
      if (r.status !== 200) {
        try {
          code = (JSON.parse(r.body) as { error?: { code?: string } }).error?.code
        } catch {
          code = 'non-JSON body'
        }
      }
      return classify(r.status === 200, code, r.at, `http ${op} ${r.status}`)
    } catch (err) {
      log.error(`http ${op}: ${err instanceof Error ? err.message : String(err)}`)
      return null
    }
  }
  return {
    acquire: (key) => call('acquire', key),
    release: (key) => call('release', key),
    close: async () => undefined,
  }
}

export function liveOps(c: LiveClient): LockOps {
  const call = async (op: 'acquire' | 'release', key: string): Promise<Outcome> => {
    const r = await c.request(`lock.${op}`, { key })
    return r && classify(r.ok, r.error?.code, r.arrivedAt, `live ${op}`)
  }
  return {
    acquire: (key) => call('acquire', key),
    release: (key) => call('release', key),
    close: () => c.close(),
  }
}
