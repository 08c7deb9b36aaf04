/**
 * Share links and their guests behind an asynchronous interface (db/share-links.ts's
 * methods, each returning a promise). A link's token is stored only as its SHA-256 hash.
 */
import type { ShareLinks } from '../db/share-links.ts'
import { asynchronous, type Asynchronous } from './asynchronous.ts'

export { linkLive } from '../db/share-links.ts'
export type { Guest, ShareLink, ShareLinkListing } from '../db/share-links.ts'

export type ShareLinksRepo = Asynchronous<ShareLinks>

export const asyncShareLinks = (links: ShareLinks): ShareLinksRepo => asynchronous(links)
