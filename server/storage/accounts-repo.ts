/**
 * Credentials behind an asynchronous interface: password hashes, token epochs, rotating
 * refresh tokens and invites (db/accounts.ts's methods, each returning a promise). Spending a
 * refresh token and using an invite are conditional updates, so they stay exact when several
 * nodes race for the same one; a name taken whatever its case fails with NameTakenError.
 */
import type { Accounts } from '../db/accounts.ts'
import { asynchronous, type Asynchronous } from './asynchronous.ts'

export { NameTakenError, sha256 } from '../db/accounts.ts'
export type { Invite, RefreshRecord } from '../db/accounts.ts'

/** Transactions across repositories belong to the stores (stores.ts), not to this one. */
export type AccountsRepo = Asynchronous<Omit<Accounts, 'transaction'>>

export const asyncAccounts = (accounts: Accounts): AccountsRepo => asynchronous(accounts)
