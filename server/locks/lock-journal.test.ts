import { lockJournalContract } from './lock-journal.contract.ts'
import { MemoryLockJournal } from './lock-journal.ts'

lockJournalContract('memory', async () => new MemoryLockJournal())
