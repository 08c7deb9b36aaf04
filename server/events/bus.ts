/**
 * Emits registered events: validates the payload against the registry, stores the event in
 * its stream's durable log (which assigns the sequence), then hands it to live listeners once
 * it is committed — at once, or after the transaction it was emitted in. The owners' `system`
 * stream is live only: its figures are not worth keeping.
 */
import { randomUUID } from 'node:crypto'
import {
  eventRegistry,
  type Actor,
  type EventData,
  type EventType,
  type LoupeEvent,
} from '../../shared/protocol/events.ts'
import type { Repositories } from '../storage/stores.ts'
import type { EventStore, StreamInfo } from './event-store.ts'

export type EventListener = (stream: string, seq: number, event: LoupeEvent) => void

export interface EmitInput<T extends EventType> {
  actor: Actor
  /** For workspace-stream events. */
  workspaceId?: string
  /** For board-stream events (and recorded on workspace events about a board). */
  boardId?: string
  data: EventData<T>
}

export class EventBus {
  private readonly listeners = new Set<EventListener>()
  private systemSeq = 0
  /** The system stream restarts with the process, so its epoch does too. */
  readonly systemEpoch = randomUUID()

  /** `stores`: where events are kept when emitted outside a transaction. */
  constructor(private readonly stores: Pick<Repositories, 'events' | 'afterCommit'>) {}

  /** The durable log (replays, `GET /api/events`). */
  get log(): EventStore {
    return this.stores.events
  }

  listen(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Only the events other nodes committed, in order, as `listen` gets them (cluster mode). */
  listenElsewhere(listener: EventListener): () => void {
    this.elsewhereListeners.add(listener)
    return () => this.elsewhereListeners.delete(listener)
  }

  private readonly elsewhereListeners = new Set<EventListener>()

  /**
   * Stores the event (in `repos`' transaction, if given) and delivers it once committed.
   * A type that is not registered, or data that does not fit its schema, is refused.
   */
  async emit<T extends EventType>(
    type: T,
    input: EmitInput<T>,
    repos: Pick<Repositories, 'events' | 'afterCommit'> = this.stores,
  ): Promise<{ stream: string; seq: number }> {
    const definition = Object.hasOwn(eventRegistry, type) ? eventRegistry[type] : undefined
    if (!definition) throw new Error(`event type ${String(type)} is not registered`)
    const data = definition.data.parse(input.data) as EventData<T>
    const event: LoupeEvent<T> = {
      type,
      ts: Date.now(),
      actor: { id: input.actor.id, name: input.actor.name },
      ...(input.boardId ? { boardId: input.boardId } : {}),
      data,
    }
    if (definition.stream === 'system') {
      const seq = ++this.systemSeq
      this.deliver('system', seq, event as LoupeEvent)
      return { stream: 'system', seq }
    }
    const id = definition.stream === 'board' ? input.boardId : input.workspaceId
    if (!id) throw new Error(`${type} needs a ${definition.stream} id`)
    const stream = `${definition.stream}:${id}`
    const { seq } = await repos.events.append(stream, event as LoupeEvent)
    repos.afterCommit(() => this.deliver(stream, seq, event as LoupeEvent))
    return { stream, seq }
  }

  /**
   * Cluster mode (cluster/cluster-news.ts): events committed here are also told to `published`
   * (for the other nodes), and every delivery — from here, or from another node through
   * `deliverFromElsewhere` — goes through `order`, which hands events to the listeners in
   * sequence, gap-free per stream, whichever node committed them.
   */
  inCluster(
    published: EventListener,
    order: (stream: string, seq: number, event: LoupeEvent, deliver: EventListener) => void,
  ): void {
    this.cluster = { published, order }
  }

  /** An event another node committed (cluster mode). */
  deliverFromElsewhere(stream: string, seq: number, event: LoupeEvent): void {
    this.cluster?.order(stream, seq, event, this.fromElsewhere)
  }

  private readonly fromElsewhere: EventListener = (stream, seq, event) => {
    for (const listener of this.elsewhereListeners) listener(stream, seq, event)
    this.toListeners(stream, seq, event)
  }

  private cluster: {
    published: EventListener
    order: (stream: string, seq: number, event: LoupeEvent, deliver: EventListener) => void
  } | null = null

  private readonly toListeners: EventListener = (stream, seq, event) => {
    for (const listener of this.listeners) listener(stream, seq, event)
  }

  private deliver(stream: string, seq: number, event: LoupeEvent): void {
    if (!this.cluster || stream === 'system') return this.toListeners(stream, seq, event)
    this.cluster.published(stream, seq, event)
    this.cluster.order(stream, seq, event, this.toListeners)
  }

  /** Where a stream stands: the system stream lives in memory, the others in the log. */
  async info(stream: string): Promise<StreamInfo> {
    if (stream === 'system')
      return { epoch: this.systemEpoch, lastSeq: this.systemSeq, firstSeq: this.systemSeq + 1 }
    return this.log.info(stream)
  }
}
