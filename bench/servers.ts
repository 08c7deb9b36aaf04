/**
 * Starting, restarting and stopping the two servers under test as child processes, and
 * creating the rooms a scenario needs (Loupe refuses unknown boards; the reference
 * creates any room on first connect).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { mapLimit, sleep } from './lib/async.ts'

export type ServerKind = 'loupe' | 'reference'
export const ROOT = resolve(import.meta.dirname, '..')
const HOST = '127.0.0.1'

export function loupeAvailable(): boolean {
  return existsSync(join(ROOT, 'server', 'main.ts'))
}

/** Asks the kernel for a free loopback port (tiny race until the server binds it; fine here). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, HOST, () => {
      const addr = s.address()
      s.close(() => (addr && typeof addr === 'object' ? res(addr.port) : rej(new Error('no port'))))
    })
  })
}

/** Server processes still running, so an interrupted run does not leave them behind. */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

export class ServerHandle {
  private child: ChildProcess | null = null
  private tail = ''

  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    /** Loupe's data folder; null for the in-memory reference. */
    readonly dataDir: string | null,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async start(
    kind: ServerKind,
    extraEnv: Record<string, string> = {},
  ): Promise<ServerHandle> {
    const port = await freePort()
    const dataDir = kind === 'loupe' ? mkdtempSync(join(tmpdir(), 'loupe-bench-')) : null
    const h = new ServerHandle(kind, port, dataDir, extraEnv)
    await h.launch()
    return h
  }

  get pid(): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error(`${this.kind} is not running`)
    return pid
  }

  /** Last few KB of the server's output, for error reports. */
  get output(): string {
    return this.tail
  }

  roomUrl(room: string): string {
    return this.kind === 'loupe'
      ? `ws://${HOST}:${this.port}/ws/doc/${room}`
      : `ws://${HOST}:${this.port}/${room}`
  }

  /** Spawns the process and resolves with the ms it took to answer /readyz. */
  private async launch(): Promise<number> {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(this.port), HOST }
    // The reference chooses LevelDB persistence at import if this is set; keep it in memory.
    delete env.YPERSISTENCE
    let script = 'bench/reference-server.ts'
    if (this.kind === 'loupe') {
      script = 'server/main.ts'
      Object.assign(env, {
        LOUPE_AUTH: 'off',
        LOUPE_DATA_DIR: this.dataDir ?? '',
        LOG_LEVEL: 'warn',
        ...this.extraEnv,
      })
    }
    const t0 = performance.now()
    // BENCH_NODE_ARGS adds flags to both servers (e.g. --cpu-prof, --trace-gc) for profiling.
    const extraArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []
    const child = spawn(process.execPath, [...extraArgs, '--import', 'tsx', script], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    live.add(child)
    child.once('exit', () => live.delete(child))
    // Pipes must be drained or a chatty server blocks on a full pipe mid-benchmark.
    const keep = (b: Buffer): void => {
      this.tail = (this.tail + b.toString('utf8')).slice(-4000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const deadline = t0 + 60_000
    while (performance.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${this.kind} exited during start (${child.exitCode ?? child.signalCode}):\n${this.tail}`,
        )
      }
      try {
        const r = await fetch(`http://${HOST}:${this.port}/readyz`, {
          signal: AbortSignal.timeout(1000),
        })
        await r.arrayBuffer()
        if (r.status === 200) return performance.now() - t0
      } catch {
        // Not listening yet.
      }
      await sleep(50)
    }
    throw new Error(`${this.kind} did not answer /readyz within 60 s:\n${this.tail}`)
  }

  /** SIGTERM, wait up to 5 s for a graceful exit, then SIGKILL. Resolves with ms to exit. */
  private async terminate(): Promise<number> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return 0
    const t0 = performance.now()
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
    this.child = null
    return performance.now() - t0
  }

  /** Stop and start again on the same port and data folder (Loupe's cold start). */
  async restart(): Promise<{ stopMs: number; startMs: number }> {
    const stopMs = await this.terminate()
    const startMs = await this.launch()
    return { stopMs, startMs }
  }

  async stop(): Promise<void> {
    await this.terminate()
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true })
  }

  /** Total bytes of the files in the data folder (loupe.db, -wal, -shm and anything else). */
  diskBytes(): Record<string, number> {
    const out: Record<string, number> = {}
    if (!this.dataDir) return out
    for (const e of readdirSync(this.dataDir, { recursive: true, withFileTypes: true })) {
      if (!e.isFile()) continue
      const p = join(e.parentPath, e.name)
      out[p.slice(this.dataDir.length + 1)] = statSync(p).size
    }
    return out
  }

  /** Makes `ids` usable as rooms. Loupe: one workspace, then one board per id, 16 requests in flight. */
  async createRooms(ids: readonly string[]): Promise<void> {
    if (this.kind !== 'loupe' || ids.length === 0) return
    const ws = await this.post('/api/workspaces', { name: 'bench' })
    const wsId = (ws as { workspace?: { id?: string } }).workspace?.id
    if (!wsId) throw new Error(`unexpected workspace reply: ${JSON.stringify(ws)}`)
    await mapLimit(ids, 16, (id, i) =>
      this.post(`/api/workspaces/${wsId}/boards`, { title: `b${i}`, id }),
    )
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const r = await fetch(`http://${HOST}:${this.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
    const text = await r.text()
    if (r.status !== 201) throw new Error(`POST ${path} → ${r.status}: ${text.slice(0, 300)}`)
    return JSON.parse(text) as unknown
  }
}
