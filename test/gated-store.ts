/** The server's real SQLite store, with appends that a test can hold back at a gate. */
import type { DocStore, DocUpdate } from '../server/storage/doc-store.ts'
import { SqliteDocStore } from '../server/storage/sqlite-doc-store.ts'

export class GatedStore extends SqliteDocStore implements DocStore {
  /** Appends waiting at the gate right now. */
  waiting = 0
  /** Appends that went through to the database. */
  appended = 0
  private gate: Promise<void> | null = null

  /** Holds back every append from now on; call the returned function to let them through. */
  hold(): () => void {
    let open!: () => void
    this.gate = new Promise((resolve) => (open = resolve))
    return () => {
      this.gate = null
      open()
    }
  }

  override async append(updates: readonly DocUpdate[]): Promise<void> {
    const gate = this.gate
    if (gate) {
      this.waiting++
      await gate
      this.waiting--
    }
    await super.append(updates)
    this.appended++
  }
}
