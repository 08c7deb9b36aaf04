/**
 * The directory (users, workspaces, members, boards) behind an asynchronous interface:
 * db/directory.ts's methods, each returning a promise. Cluster mode keeps it in PostgreSQL,
 * where a board's row is also the fence of its document (docs/cluster.md).
 */
import type { Directory } from '../db/directory.ts'
import { asynchronous, type Asynchronous } from './asynchronous.ts'

export type { Board, Role, User, Workspace } from '../db/directory.ts'

export type DirectoryRepo = Asynchronous<Directory>

export const asyncDirectory = (directory: Directory): DirectoryRepo => asynchronous(directory)
