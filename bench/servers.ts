/**
 * Starting, restarting and stopping the two servers under test as child processes, and
 * creating the rooms a scenario needs (Loupe refuses unknown boards; the reference
 * creates any room on first connect).
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { mapLimit, sleep } from './lib/async.ts'
import { startClusterServices } from './cluster-services.ts'
import { capCpu, nodeCpuCap } from './cpu-cap.ts'
import type { ClusterServices } from './cluster-services.ts'

/**
 * `loupe`: one machine (SQLite). `cluster`: Loupe as one cluster node, on a fresh PostgreSQL
 * database and a private redis-server made for the case and removed after it.
 */
export type ServerKind = 'loupe' | 'reference' | 'cluster'
export const ROOT = resolve(import.meta.dirname, '..')
/**
 * The Loupe tree to run: this one, or BENCH_LOUPE_ROOT (another checkout, e.g. an older
 * commit in a git worktree) to compare two versions of the server with the same bench.
 */
export const LOUPE_ROOT = resolve(process.env.BENCH_LOUPE_ROOT ?? ROOT)
const HOST = '127.0.0.1'

export function loupeAvailable(): boolean {
  return existsSync(join(LOUPE_ROOT, 'server', 'main.ts'))
}

/**
 * Builds Loupe as `npm start` does (scripts/server-build.mjs: build/main.mjs, when missing or
 * stale), so the bench runs the compiled server users run. Once per bench run.
 */
let built: Promise<void> | null = null
export function buildLoupe(): Promise<void> {
  built ??= (async () => {
    const script = pathToFileURL(join(LOUPE_ROOT, 'scripts', 'server-build.mjs')).href
    const { buildServerIfNeeded } = (await import(script)) as {
      buildServerIfNeeded(log?: (line: string) => void): Promise<number>
    }
    if ((await buildServerIfNeeded((line) => console.error(`[bench] ${line}`))) !== 0)
      throw new Error(`the server build in ${LOUPE_ROOT} failed`)
  })()
  return built
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

/** How a case wants its server started. */
export interface StartOptions {
  /** Extra environment (Loupe only: limits a case must lift). */
  env?: Record<string, string>
  /** Loupe: accounts on (LOUPE_AUTH=on), the owner set up; rooms are created with its token. */
  auth?: boolean
  /** Reference: its own y-leveldb persistence (YPERSISTENCE) in a data folder, so a restart reloads. */
  persist?: boolean
  /**
   * Cluster node: join these services (another node's database and Redis) instead of making
   * its own; the handle that made them stops them.
   */
  join?: ClusterServices
}

/** The owner's setup code when a bench server runs with accounts on. */
const SETUP_CODE = 'bench-setup-code'

export class ServerHandle {
  private child: ChildProcess | null = null
  private tail = ''
  /** Loupe with accounts on: the owner's access token and first workspace. */
  private owner: { token: string; workspaceId: string } | null = null
  /** Cluster node: its database and Redis. */
  private services: ClusterServices | null = null
  /** Whether this handle made them, and so removes them on stop(). */
  private ownsServices = false

  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    /** Loupe's data folder, or the reference's when it persists; null for the in-memory reference. */
    readonly dataDir: string | null,
    private readonly options: StartOptions,
  ) {}

  static async start(kind: ServerKind, options: StartOptions = {}): Promise<ServerHandle> {
    const isLoupe = kind !== 'reference'
    if (isLoupe) await buildLoupe()
    // Redis's port first: a port asked for earlier and not yet bound could be handed out again.
    const joined = kind === 'cluster' ? (options.join ?? null) : null
    const services = kind === 'cluster' ? (joined ?? (await startClusterServices())) : null
    const port = await freePort()
    const persists = isLoupe || options.persist === true
    const dataDir = persists ? mkdtempSync(join(tmpdir(), `${kind}-bench-`)) : null
    const h = new ServerHandle(kind, port, dataDir, options)
    h.services = services
    h.ownsServices = services !== null && joined === null
    try {
      await h.launch()
      if (isLoupe && options.auth) await h.setUpOwner()
    } catch (err) {
      await h.stop()
      throw err
    }
    return h
  }

  get pid(): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error(`${this.kind} is not running`)
    return pid
  }

  /** Cluster node: the database and Redis it runs on. */
  get cluster(): ClusterServices {
    if (!this.services) throw new Error(`${this.kind} is not a cluster node`)
    return this.services
  }

  /** The process is gone (stopped, killed, or it exited). */
  get exited(): boolean {
    return !this.child || this.child.exitCode !== null || this.child.signalCode !== null
  }

  /** SIGKILL, as a crashed machine would stop: no shutdown, no lease released. */
  async kill(): Promise<void> {
    const child = this.child
    if (!child || this.exited) return
    const gone = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGKILL')
    await gone
  }

  get httpUrl(): string {
    return `http://${HOST}:${this.port}`
  }

  /** Last few KB of the server's output, for error reports. */
  get output(): string {
    return this.tail
  }

  roomUrl(room: string): string {
    return this.kind !== 'reference'
      ? `ws://${HOST}:${this.port}/ws/doc/${room}`
      : `ws://${HOST}:${this.port}/${room}`
  }

  /** Spawns the process and resolves with the ms it took to answer /readyz. */
  private async launch(): Promise<number> {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(this.port), HOST }
    // The reference chooses LevelDB persistence at import if this is set.
    delete env.YPERSISTENCE
    // Both servers run as plain JavaScript in plain `node`: no loader thread, no compile at start.
    let cwd = ROOT
    let script = join(ROOT, 'bench', 'reference-server.mjs')
    if (this.kind !== 'reference') {
      cwd = LOUPE_ROOT
      script = join(LOUPE_ROOT, 'build', 'main.mjs')
      Object.assign(env, {
        LOUPE_AUTH: this.options.auth ? 'on' : 'off',
        LOUPE_SETUP_CODE: SETUP_CODE,
        LOUPE_DATA_DIR: this.dataDir ?? '',
        LOG_LEVEL: 'warn',
        ...(this.services && {
          LOUPE_DATABASE_URL: this.services.databaseUrl,
          LOUPE_REDIS_URL: this.services.redisUrl,
          LOUPE_NODE_ID: `bench-${this.port}`,
          // Needed only with accounts on; the same on every node.
          LOUPE_JWT_SECRET: 'bench-cluster-jwt-secret-of-32-chars-or-more',
        }),
        ...this.options.env,
      })
    } else if (this.dataDir) {
      env.YPERSISTENCE = this.dataDir
    }
    const t0 = performance.now()
    // BENCH_NODE_ARGS adds flags to both servers (e.g. --cpu-prof, --trace-gc) for profiling.
    const extraArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []
    const child = spawn(process.execPath, [...extraArgs, script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = child
    live.add(child)
    child.once('exit', () => live.delete(child))
    const cap = this.kind !== 'reference' ? nodeCpuCap() : null
    if (cap !== null && child.pid !== undefined) {
      const uncap = capCpu(child.pid, cap)
      child.once('exit', uncap)
    }
    // Pipes must be drained or a chatty server blocks on a full pipe mid-benchmark.
    // BENCH_SERVER_LOG=<file> keeps all of it too (e.g. with BENCH_NODE_ARGS=--trace-gc).
    const logFile = process.env.BENCH_SERVER_LOG
    const keep = (b: Buffer): void => {
      this.tail = (this.tail + b.toString('utf8')).slice(-4000)
      if (logFile) appendFileSync(logFile, b)
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

  /** SIGTERM, wait up to 5 s (60 s when profiling) for a graceful exit, then SIGKILL. Resolves with ms to exit. */
  private async terminate(): Promise<number> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return 0
    const t0 = performance.now()
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGTERM')
    // A profiled server writes its profile on exit: give a busy node's shutdown time to finish.
    const profiling = process.env.BENCH_NODE_ARGS?.includes('--cpu-prof') === true
    const timer = setTimeout(() => child.kill('SIGKILL'), profiling ? 60_000 : 5000)
    await exited
    clearTimeout(timer)
    this.child = null
    return performance.now() - t0
  }

  /** Stop and start again on the same port and data folder (a cold start from storage). */
  async restart(): Promise<{ stopMs: number; startMs: number }> {
    const stopMs = await this.terminate()
    const startMs = await this.launch()
    return { stopMs, startMs }
  }

  async stop(): Promise<void> {
    try {
      await this.terminate()
    } finally {
      if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true })
      if (this.ownsServices) await this.services?.stop()
      this.services = null
    }
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

  /**
   * Makes `ids` usable as rooms. Loupe: one workspace (the owner's first one with accounts on),
   * then one board per id, 16 requests in flight.
   */
  async createRooms(ids: readonly string[]): Promise<void> {
    if (this.kind === 'reference' || ids.length === 0) return
    let wsId = this.owner?.workspaceId
    if (!wsId) {
      const ws = await this.post('/api/workspaces', { name: 'bench' })
      wsId = (ws as { workspace?: { id?: string } }).workspace?.id
      if (!wsId) throw new Error(`unexpected workspace reply: ${JSON.stringify(ws)}`)
    }
    await mapLimit(ids, 16, (id, i) =>
      this.post(`/api/workspaces/${wsId}/boards`, { title: `b${i}`, id }),
    )
  }

  /** Loupe with accounts on: the owner's token (null with accounts off). */
  get ownerToken(): string | null {
    return this.owner?.token ?? null
  }

  /**
   * Loupe with accounts on: `n` more people, each its own account invited into the owner's
   * workspace as an editor; resolves with their access tokens.
   */
  async members(n: number): Promise<string[]> {
    if (!this.owner) throw new Error('members() needs a Loupe server started with auth')
    const { workspaceId } = this.owner
    return mapLimit(Array.from({ length: n }), 8, async (_, i) => {
      const invite = (await this.post(`/api/workspaces/${workspaceId}/invites`, {
        role: 'editor',
      })) as { code: string }
      const name = `bench-user-${i}`
      const joined = (await this.post(
        `/api/invites/${invite.code}/accept`,
        { name, password: `${name}-password` },
        200,
      )) as { accessToken: string }
      return joined.accessToken
    })
  }

  private async setUpOwner(): Promise<void> {
    const setup = (await this.post('/api/setup', {
      code: SETUP_CODE,
      name: 'bench-owner',
      password: 'bench-owner-password',
    })) as { accessToken: string }
    const token = setup.accessToken
    const me = await fetch(`${this.httpUrl}/api/me`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const body = (await me.json()) as { workspaces?: Array<{ id: string }> }
    const workspaceId = body.workspaces?.[0]?.id
    if (!workspaceId) throw new Error(`no workspace after setup: ${JSON.stringify(body)}`)
    this.owner = { token, workspaceId }
  }

  private async post(path: string, body: unknown, expect = 201): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (this.owner) headers.authorization = `Bearer ${this.owner.token}`
    const r = await fetch(`${this.httpUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    })
    const text = await r.text()
    if (r.status !== expect) throw new Error(`POST ${path} → ${r.status}: ${text.slice(0, 300)}`)
    return JSON.parse(text) as unknown
  }
}
