/**
 * A subscription's replay and its live part meet with no gap and no duplicate although the log
 * is read asynchronously (dispatch.ts `subscribe`): events committed while the replay reads
 * are held and sent after it, each once, in sequence order. The log is the real SQLite one;
 * its reads are held at a gate so events can be committed at every point of the seam.
 */
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { ServerMessage } from '../../shared/protocol/live.ts'
import { LocalAuth } from '../auth/auth.ts'
import { openDb } from '../db/open.ts'
import { EventBus } from '../events/bus.ts'
import type { EventStore } from '../events/event-store.ts'
import { SqliteStores } from '../storage/sqlite-stores.ts'
import { LiveDispatch } from './dispatch.ts'
import { LiveFanOut } from './fan-out.ts'
import { LiveSessions } from './sessions.ts'

const actor = { id: 'local', name: 'Owner' }

/** The stores’ log, each read held at a gate until `open()`, before or after it reads. */
function gatedLog(events: EventStore, when: 'before-reading' | 'after-reading') {
  let open!: () => void
  const gate = new Promise<void>((resolve) => (open = resolve))
  const reading: { started: Promise<void>; start: () => void } = {} as never
  reading.started = new Promise((resolve) => (reading.start = resolve))
  const log: EventStore = {
    ...events,
    read: async (stream, afterSeq, limit) => {
      reading.start()
      if (when === 'before-reading') await gate
      const page = await events.read(stream, afterSeq, limit)
      if (when === 'after-reading') await gate
      return page
    },
  }
  return { log, open, started: reading.started }
}

async function setUp(when: 'before-reading' | 'after-reading') {
  const stores = new SqliteStores(openDb(':memory:', { sync: 'normal' }))
  await stores.directory.ensureUser({ ...actor, color: '#000' })
  await stores.directory.createWorkspace({ id: 'w', name: 'W', createdBy: 'local', createdAt: 1 })
  await stores.directory.createBoard({
    id: 'b1',
    workspaceId: 'w',
    title: 'B',
    createdBy: 'local',
    createdAt: 1,
  })
  const gated = gatedLog(stores.events, when)
  const bus = new EventBus({ events: gated.log, afterCommit: (effect) => effect() })
  const sessions = new LiveSessions()
  const fanOut = new LiveFanOut(sessions)
  bus.listen((stream, seq, event) => fanOut.deliver(stream, seq, event))
  const dispatch = new LiveDispatch({
    log: pino({ level: 'silent' }),
    auth: new LocalAuth(stores.directory),
    directory: stores.directory,
    bus,
    notifications: stores.notifications,
  })
  const { session } = sessions.attach({ ...actor, color: '#000' }, undefined)
  const sent: ServerMessage[] = []
  session.socket = {
    readyState: 1,
    send: (text: string) => sent.push(JSON.parse(text) as ServerMessage),
  } as never
  const emit = (threadId: string) =>
    bus.emit('thread.resolved', { actor, boardId: 'b1', data: { threadId } })
  return { dispatch, session, sent, emit, gated }
}

const seqs = (sent: ServerMessage[]) =>
  sent.flatMap((message) => (message.type === 'event' ? [message.seq] : []))

describe('live subscription seam', () => {
  for (const when of ['before-reading', 'after-reading'] as const) {
    it(`sends each event once and in order when events commit ${when.replace('-', ' ')} the replay’s log`, async () => {
      const { dispatch, session, sent, emit, gated } = await setUp(when)
      for (const id of ['t1', 't2', 't3']) await emit(id)
      const subscribed = dispatch.handle(session, {
        type: 'subscribe',
        id: 1,
        stream: 'board:b1',
        afterSeq: 1,
      })
      await gated.started
      // Committed while the replay waits: live, so held until the replay is out.
      await emit('t4')
      await emit('t5')
      gated.open()
      await subscribed
      await emit('t6')
      expect(sent[0]).toMatchObject({ type: 'reply', id: 1, ok: true })
      expect(seqs(sent)).toEqual([2, 3, 4, 5, 6])
    })
  }

  it('goes live after the sequence its reply names when no replay is asked', async () => {
    const { dispatch, session, sent, emit } = await setUp('before-reading')
    await emit('t1')
    await dispatch.handle(session, { type: 'subscribe', id: 1, stream: 'board:b1' })
    await emit('t2')
    expect(sent[0]).toMatchObject({ type: 'reply', result: { lastSeq: 1 } })
    expect(seqs(sent)).toEqual([2])
  })
})
