/**
 * The SQLite family of stores (storage/stores.ts), over one database: the synchronous
 * repository classes, each method a promise (asynchronous.ts), and transactions that run in
 * one event-loop turn (sqlite-transactions.ts). The database stays reachable for what must
 * stay synchronous on one machine (the lock store: the lock service decides in its caller's
 * turn).
 */
import { AuditLog } from '../audit/audit-log.ts'
import { Accounts } from '../db/accounts.ts'
import { Directory } from '../db/directory.ts'
import { Media } from '../db/media.ts'
import { schemaVersion } from '../db/migrations.ts'
import { closeDb, openDb, type Db } from '../db/open.ts'
import { ShareLinks } from '../db/share-links.ts'
import { EventLog } from '../events/event-log.ts'
import { VersionStore } from '../history/version-store.ts'
import { VisitStore } from '../history/visit-store.ts'
import { NotificationStore } from '../notifications/notification-store.ts'
import { SearchIndex } from '../search/search-index.ts'
import { asynchronous } from './asynchronous.ts'
import type { DocStore } from './doc-store.ts'
import { SqliteDocStore, type OffThreadFold } from './sqlite-doc-store.ts'
import { SqliteTransactions } from './sqlite-transactions.ts'
import { runEffects, type EffectFailed, type Repositories, type Stores } from './stores.ts'

/** The synchronous repositories over one database. */
function classes(db: Db) {
  return {
    directory: new Directory(db),
    accounts: new Accounts(db),
    shareLinks: new ShareLinks(db),
    events: new EventLog(db),
    notifications: new NotificationStore(db),
    audit: new AuditLog(db),
    media: new Media(db),
    versions: new VersionStore(db),
    visits: new VisitStore(db),
    search: new SearchIndex(db),
  }
}

type Classes = ReturnType<typeof classes>

/** Each class's methods as promises, every call first passing `check`. */
function repositories(
  sync: Classes,
  check: () => void,
  afterCommit: (effect: () => void) => void,
): Repositories {
  return {
    directory: asynchronous(sync.directory, check),
    accounts: asynchronous(sync.accounts, check),
    shareLinks: asynchronous(sync.shareLinks, check),
    events: asynchronous(sync.events, check),
    notifications: asynchronous(sync.notifications, check),
    audit: asynchronous(sync.audit, check),
    media: asynchronous(sync.media, check),
    versions: asynchronous(sync.versions, check),
    visits: asynchronous(sync.visits, check),
    search: asynchronous(sync.search, check),
    afterCommit,
  }
}

export class SqliteStores implements Stores {
  readonly kind = 'sqlite'
  /** The synchronous classes behind the repositories. */
  private readonly sync: Classes
  readonly directory: Repositories['directory']
  readonly accounts: Repositories['accounts']
  readonly shareLinks: Repositories['shareLinks']
  readonly events: Repositories['events']
  readonly notifications: Repositories['notifications']
  readonly audit: Repositories['audit']
  readonly media: Repositories['media']
  readonly versions: Repositories['versions']
  readonly visits: Repositories['visits']
  readonly search: Repositories['search']
  private readonly transactions: SqliteTransactions
  private readonly effectFailed: EffectFailed

  constructor(
    readonly db: Db,
    options: { effectFailed?: EffectFailed } = {},
  ) {
    this.sync = classes(db)
    this.transactions = new SqliteTransactions(db)
    this.effectFailed = options.effectFailed ?? ((error) => console.error(error))
    // Outside a transaction every call commits on its own, so an effect may run at once.
    const repos = repositories(this.sync, this.transactions.outside, (effect) =>
      runEffects([effect], this.effectFailed),
    )
    this.directory = repos.directory
    this.accounts = repos.accounts
    this.shareLinks = repos.shareLinks
    this.events = repos.events
    this.notifications = repos.notifications
    this.audit = repos.audit
    this.media = repos.media
    this.versions = repos.versions
    this.visits = repos.visits
    this.search = repos.search
  }

  /** Opens (and migrates) the database file. */
  static open(file: string, options: { sync: 'normal' | 'full'; effectFailed?: EffectFailed }) {
    return new SqliteStores(openDb(file, { sync: options.sync }), options)
  }

  afterCommit(effect: () => void): void {
    runEffects([effect], this.effectFailed)
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const effects: Array<() => void> = []
    const value = await this.transactions.run((alive) =>
      work(
        repositories(this.sync, alive, (effect) => {
          alive()
          effects.push(effect)
        }),
      ),
    )
    runEffects(effects, this.effectFailed)
    return value
  }

  docStore(options: { offThread?: OffThreadFold } = {}): DocStore {
    return new SqliteDocStore(this.db, options.offThread)
  }

  async problems(): Promise<string[]> {
    if (!this.db.open) return ['database is closed']
    if (this.db.pragma('user_version', { simple: true }) !== schemaVersion)
      return ['database schema is not current']
    return []
  }

  async close(): Promise<void> {
    closeDb(this.db)
  }
}
