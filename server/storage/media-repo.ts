/**
 * Media metadata behind an asynchronous interface (db/media.ts's methods, each returning a
 * promise). Recording the same file twice, even from two nodes at once, keeps one row.
 */
import type { Media } from '../db/media.ts'
import type { Asynchronous } from './asynchronous.ts'

export type { MediaInfo, MediaKind } from '../db/media.ts'

export type MediaRepo = Asynchronous<Media>
