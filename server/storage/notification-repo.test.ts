import { openDb } from '../db/open.ts'
import { NotificationStore } from '../notifications/notification-store.ts'
import { notificationRepoContract } from './notification-repo.contract.ts'
import { asyncNotifications } from './notification-repo.ts'

notificationRepoContract('SQLite', async () =>
  asyncNotifications(new NotificationStore(openDb(':memory:', { sync: 'normal' }))),
)
