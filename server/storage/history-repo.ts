/**
 * History's stores behind asynchronous interfaces: versions of boards (history/version-store.ts)
 * and where each user's visits ended, with who wrote through which Yjs client
 * (history/visit-store.ts) — each class's methods returning promises. Versions keep their
 * state deflated alike in every store (`packState`).
 */
import type { VersionStore } from '../history/version-store.ts'
import type { VisitStore } from '../history/visit-store.ts'
import type { Asynchronous } from './asynchronous.ts'

export type { NewVersion } from '../history/version-store.ts'

export type VersionRepo = Asynchronous<VersionStore>

export type VisitRepo = Asynchronous<VisitStore>
