/**
 * Whole-deployment backups: one archive holding the database (an online, consistent SQLite
 * backup), every media file and the signing secret, written and read with Node's standard
 * library only (docs/operations.md, "Backup and restore").
 *
 * The archive is gzip (node:zlib) around this byte layout:
 *
 *     "LOUPEBK1"                 8 bytes, magic and format version
 *     manifest length N          uint32, big-endian
 *     manifest                   N bytes of UTF-8 JSON (BackupManifest)
 *     SHA-256 of the manifest    32 bytes
 *     entry bodies               each entry's bytes, in manifest order, back to back
 *
 * and nothing after the last body. Every entry names its path in the data folder, its size
 * and the SHA-256 of its bytes. A restore reads the archive twice: first to check the magic,
 * the manifest and every entry's size and checksum while writing nothing, then to write the
 * files (checking again as it goes, and removing what it wrote if anything fails).
 */
import { createHash, type Hash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { z } from 'zod'
import { schemaVersion } from '../db/migrations.ts'
import type { Db } from '../db/open.ts'
import { AdminError } from './errors.ts'

export const MAGIC = Buffer.from('LOUPEBK1', 'ascii')
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024
const DB_FILE = 'loupe.db'
const SECRET_FILE = 'jwt-secret'
const MEDIA_NAME = /^[0-9a-f]{64}$/

/** Paths an archive may name; anything else (`..`, absolute paths) is refused. */
const ENTRY_PATH = /^(loupe\.db|jwt-secret|media\/[0-9a-f]{64})$/

const manifestSchema = z.object({
  format: z.literal('loupe-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  loupeVersion: z.string(),
  schemaVersion: z.number().int().min(0),
  entries: z.array(
    z.object({
      path: z.string().regex(ENTRY_PATH),
      size: z.number().int().min(0),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
})

export type BackupManifest = z.infer<typeof manifestSchema>
export type BackupEntry = BackupManifest['entries'][number]

/** An archive that is not whole: nothing was (or stays) written because of it. */
export class DamagedArchive extends AdminError {
  override name = 'DamagedArchive'
}

/** Where a deployment keeps what an archive holds besides its database. */
export interface BackupSources {
  /** The media folder: `<data folder>/media`, or a cluster's LOUPE_MEDIA_DIR. */
  mediaDir: string
  /** The signing secret's file, archived when it exists. */
  secretFile: string
}

/** What a data folder's archive holds besides its database. */
export function dataFolderSources(dataDir: string): BackupSources {
  return { mediaDir: join(dataDir, 'media'), secretFile: join(dataDir, SECRET_FILE) }
}

/**
 * Writes the archive to `file`: the database `db` through `db.backup()` (online: the server
 * may keep writing; a cluster's backup hands a copy of its snapshot), then the media files
 * present after it (every media row in the backup has its file, as a file is in place before
 * its row is written), then the secret. The archive is created with mode 0600 (it holds the
 * signing secret) and appears at `file` only once complete.
 */
export async function writeBackup(
  db: Db,
  from: BackupSources,
  file: string,
  loupeVersion: string,
): Promise<BackupManifest> {
  // A private (0700) folder beside the target for the database copy and the unfinished
  // archive: same file system, so the finished archive is renamed into place.
  const staging = mkdtempSync(join(dirname(file), `.${basename(file)}.`))
  const dbCopy = join(staging, DB_FILE)
  const partial = join(staging, 'archive.partial')
  try {
    // All pages in one step: one read transaction, so a consistent copy that the server's
    // writes meanwhile cannot restart (in WAL mode the reader does not block them either).
    await db.backup(dbCopy, { progress: () => 0x7fffffff })
    const sources: Array<{ path: string; source: string }> = [{ path: DB_FILE, source: dbCopy }]
    const { mediaDir, secretFile: secret } = from
    if (existsSync(mediaDir)) {
      const names = readdirSync(mediaDir, { withFileTypes: true })
        .filter((e) => e.isFile() && MEDIA_NAME.test(e.name))
        .map((e) => e.name)
        .sort()
      for (const name of names)
        sources.push({ path: `media/${name}`, source: join(mediaDir, name) })
    }
    if (existsSync(secret)) sources.push({ path: SECRET_FILE, source: secret })

    const entries: BackupEntry[] = []
    for (const { path, source } of sources) entries.push({ path, ...(await digestFile(source)) })
    const manifest: BackupManifest = {
      format: 'loupe-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      loupeVersion,
      schemaVersion: backupSchemaVersion(db),
      entries,
    }

    async function* archive(): AsyncGenerator<Buffer> {
      const json = Buffer.from(JSON.stringify(manifest), 'utf8')
      const length = Buffer.alloc(4)
      length.writeUInt32BE(json.byteLength)
      yield MAGIC
      yield length
      yield json
      yield createHash('sha256').update(json).digest()
      for (const [i, entry] of entries.entries()) {
        const { source } = sources[i] as { source: string }
        const hash = createHash('sha256')
        let size = 0
        // Read exactly the size the manifest names; a file that changed since fails below.
        if (entry.size > 0) {
          for await (const chunk of createReadStream(source, { start: 0, end: entry.size - 1 })) {
            const bytes = chunk as Buffer
            size += bytes.byteLength
            hash.update(bytes)
            yield bytes
          }
        }
        if (size !== entry.size || hash.digest('hex') !== entry.sha256)
          throw new AdminError(`${entry.path} changed while it was being backed up; run it again`)
      }
    }

    await pipeline(
      Readable.from(archive()),
      createGzip(),
      createWriteStream(partial, { mode: 0o600 }),
    )
    chmodSync(partial, 0o600)
    renameSync(partial, file)
    return manifest
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

function backupSchemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

async function digestFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path)) {
    size += (chunk as Buffer).byteLength
    hash.update(chunk as Buffer)
  }
  return { size, sha256: hash.digest('hex') }
}

/**
 * Restores an archive into `dataDir`, which must be empty or missing. Every checksum is
 * verified before the first byte is written; a damaged archive leaves the folder as it was.
 */
export async function restoreBackup(file: string, dataDir: string): Promise<BackupManifest> {
  if (!existsSync(file)) throw new AdminError(`no archive at ${file}`)
  requireEmpty(dataDir)
  if (isSqliteFile(file))
    throw new AdminError(
      `${file} is a plain SQLite database (a backup from before the archive format), not an ` +
        'archive: stop the server and copy it to loupe.db in the data folder instead',
    )

  // Pass 1: read everything, write nothing.
  const manifest = await readArchive(file, async (_entry, chunks) => {
    for await (const _chunk of chunks);
  })
  if (manifest.schemaVersion > schemaVersion)
    throw new AdminError(
      `the archive's database has schema version ${manifest.schemaVersion}, newer than this ` +
        `Loupe's (${schemaVersion}); restore it with Loupe ${manifest.loupeVersion} or later`,
    )

  // Pass 2: write, checking again (the file could have changed since pass 1).
  requireEmpty(dataDir)
  const created: string[] = []
  const createdDirs: string[] = []
  const makeDir = (dir: string) => {
    if (existsSync(dir)) return
    makeDir(dirname(dir))
    mkdirSync(dir)
    createdDirs.push(dir)
  }
  try {
    makeDir(dataDir)
    makeDir(join(dataDir, 'media'))
    await readArchive(file, async (entry, chunks) => {
      const target = join(dataDir, entry.path)
      makeDir(dirname(target))
      created.push(target)
      await pipeline(
        Readable.from(chunks),
        createWriteStream(target, {
          flags: 'wx',
          // The secret and the database (password hashes, sessions) are for the server alone.
          mode: entry.path.startsWith('media/') ? 0o644 : 0o600,
        }),
      )
    })
  } catch (error) {
    for (const path of created.reverse()) rmSync(path, { force: true })
    for (const dir of createdDirs.reverse()) {
      try {
        rmdirSync(dir)
      } catch {
        // Something else put a file there meanwhile: leave the folder.
      }
    }
    throw error
  }
  return manifest
}

function isSqliteFile(file: string): boolean {
  const head = Buffer.alloc(16)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, head, 0, 16, 0)
  } finally {
    closeSync(fd)
  }
  return head.toString('latin1') === 'SQLite format 3\0'
}

function requireEmpty(dataDir: string): void {
  if (!existsSync(dataDir)) return
  if (!statSync(dataDir).isDirectory()) throw new AdminError(`${dataDir} is not a folder`)
  const present = readdirSync(dataDir)
  if (present.length > 0)
    throw new AdminError(
      `refusing to restore into ${dataDir}: it is not empty (${present.slice(0, 5).join(', ')}` +
        `${present.length > 5 ? ', …' : ''}). Restore only into an empty or missing data ` +
        'folder: stop the server and move the current folder aside first.',
    )
}

/**
 * Reads an archive, calling `onEntry` with each entry's bytes (which must be consumed); throws
 * DamagedArchive for any mismatch: magic, manifest checksum or shape, an entry's size or
 * SHA-256, or bytes after the last entry.
 */
export async function readArchive(
  file: string,
  onEntry: (entry: BackupEntry, chunks: AsyncIterable<Buffer>) => Promise<void>,
): Promise<BackupManifest> {
  const name = file
  const damaged = (why: string) =>
    new DamagedArchive(`${name} is not a whole Loupe backup (${why}); nothing was restored`)
  const gunzip = createGunzip()
  const source = createReadStream(file)
  source.on('error', (error) => gunzip.destroy(error))
  source.pipe(gunzip)
  const reader = new ByteReader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>)
  try {
    if (!(await reader.exact(MAGIC.byteLength, damaged)).equals(MAGIC))
      throw damaged('it does not start with LOUPEBK1')
    const length = (await reader.exact(4, damaged)).readUInt32BE(0)
    if (length > MAX_MANIFEST_BYTES) throw damaged('manifest length out of range')
    const json = await reader.exact(length, damaged)
    const digest = await reader.exact(32, damaged)
    if (!createHash('sha256').update(json).digest().equals(digest))
      throw damaged('the manifest checksum does not match')
    let parsed: unknown
    try {
      parsed = JSON.parse(json.toString('utf8'))
    } catch {
      throw damaged('the manifest is not JSON')
    }
    const result = manifestSchema.safeParse(parsed)
    if (!result.success) throw damaged(`the manifest is malformed: ${result.error.message}`)
    const manifest = result.data
    const paths = new Set(manifest.entries.map((e) => e.path))
    if (paths.size !== manifest.entries.length) throw damaged('the manifest repeats a path')
    if (!paths.has(DB_FILE)) throw damaged(`the manifest has no ${DB_FILE}`)

    for (const entry of manifest.entries) {
      const hash = createHash('sha256')
      await onEntry(
        entry,
        reader.chunks(entry.size, hash, () => damaged(`${entry.path} is cut short`)),
      )
      if (hash.digest('hex') !== entry.sha256)
        throw damaged(`the checksum of ${entry.path} does not match`)
    }
    if (!(await reader.atEnd())) throw damaged('bytes after the last entry')
    return manifest
  } catch (error) {
    if (error instanceof AdminError) throw error
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw damaged(`gzip: ${(error as Error).message}`)
    throw error
  } finally {
    source.destroy()
    gunzip.destroy()
  }
}

/** Exact-size reads over a stream of chunks of any size. */
class ByteReader {
  private readonly queue: Buffer[] = []
  private buffered = 0
  private ended = false

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next()
      if (next.done) this.ended = true
      else if (next.value.byteLength > 0) {
        this.queue.push(next.value)
        this.buffered += next.value.byteLength
      }
    }
    return this.buffered >= n
  }

  /** Up to `n` bytes from the head of the queue, without copying when it can. */
  private take(n: number): Buffer {
    const head = this.queue[0] as Buffer
    const out = head.byteLength <= n ? head : head.subarray(0, n)
    if (out === head) this.queue.shift()
    else this.queue[0] = head.subarray(n)
    this.buffered -= out.byteLength
    return out
  }

  async exact(n: number, damaged: (why: string) => Error): Promise<Buffer> {
    if (!(await this.fill(n))) throw damaged('it ends early')
    const parts: Buffer[] = []
    let left = n
    while (left > 0) {
      const part = this.take(left)
      parts.push(part)
      left -= part.byteLength
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
  }

  /** The next `n` bytes as chunks, each also fed to `hash`. */
  async *chunks(n: number, hash: Hash, short: () => Error): AsyncGenerator<Buffer> {
    let left = n
    while (left > 0) {
      if (!(await this.fill(1))) throw short()
      const part = this.take(left)
      hash.update(part)
      left -= part.byteLength
      yield part
    }
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1))
  }
}

/** The version in package.json, recorded in each archive. */
export function loupeVersion(): string {
  const file = new URL('../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}
