/**
 * The PostgreSQL family of stores (storage/stores.ts), for cluster mode: every repository
 * over the node's pool, and transactions whose repositories are built over the transaction's
 * connection (each PostgreSQL repository takes a pool or a transaction). A repository of a
 * transaction that has ended refuses to run, so a late call cannot borrow a connection that
 * is already someone else's.
 */
import type { QueryResultRow } from 'pg'
import type { DocStore } from '../../storage/doc-store.ts'
import {
  runEffects,
  type EffectFailed,
  type Repositories,
  type Stores,
} from '../../storage/stores.ts'
import { PgAccounts } from './accounts.ts'
import { PgAuditLog } from './audit-log.ts'
import { PgDirectory } from './directory.ts'
import { PgDocStore } from './doc-store.ts'
import { PgEventLog } from './event-log.ts'
import { KnownClients } from '../../history/visit-store.ts'
import { PgMedia } from './media.ts'
import { schemaVersion } from './migrations.ts'
import { PgNotifications } from './notifications.ts'
import type { PgPool, Tx } from './pool.ts'
import { PgSearch } from './search.ts'
import { PgShareLinks } from './share-links.ts'
import { PgVersions } from './versions.ts'
import { PgVisits } from './visits.ts'
import { pgMigrations } from './schema.ts'

/** `known`: the node's (board, client) pairs already written (visits.ts). */
function repositories(
  db: PgPool | Tx,
  known: KnownClients,
  afterCommit: (effect: () => void) => void,
): Repositories {
  return {
    directory: new PgDirectory(db),
    accounts: new PgAccounts(db),
    shareLinks: new PgShareLinks(db),
    events: new PgEventLog(db),
    notifications: new PgNotifications(db),
    audit: new PgAuditLog(db),
    media: new PgMedia(db),
    versions: new PgVersions(db),
    visits: new PgVisits(db, known),
    search: new PgSearch(db),
    afterCommit,
  }
}

export class PgStores implements Stores {
  readonly kind = 'postgres'
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
  private readonly known = new KnownClients()
  private readonly effectFailed: EffectFailed

  constructor(
    readonly pool: PgPool,
    readonly nodeId: string,
    options: { effectFailed?: EffectFailed } = {},
  ) {
    this.effectFailed = options.effectFailed ?? ((error) => console.error(error))
    const repos = repositories(pool, this.known, (effect) => this.afterCommit(effect))
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

  afterCommit(effect: () => void): void {
    runEffects([effect], this.effectFailed)
  }

  async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
    const effects: Array<() => void> = []
    let ended = false
    const alive = () => {
      if (ended)
        throw new Error('this transaction has ended: its repositories can no longer be used')
    }
    let value: T
    try {
      value = await this.pool.transaction((client) => {
        const guarded: Tx = {
          query<R extends QueryResultRow>(text: string, values?: unknown[]) {
            alive()
            return client.query<R>(text, values)
          },
        }
        return work(
          repositories(guarded, this.known, (effect) => {
            alive()
            effects.push(effect)
          }),
        )
      })
    } finally {
      ended = true
    }
    runEffects(effects, this.effectFailed)
    return value
  }

  /** Board documents, written only by the node that took ownership of each (doc-store.ts). */
  docStore(): DocStore {
    return new PgDocStore(this.pool, this.nodeId)
  }

  async problems(): Promise<string[]> {
    const health = await this.pool.health()
    if (health.state === 'down') return [health.error ?? 'PostgreSQL is down']
    if ((await schemaVersion(this.pool)) !== pgMigrations.length)
      return ['PostgreSQL schema is not current']
    return []
  }

  close(): Promise<void> {
    return this.pool.close()
  }
}
