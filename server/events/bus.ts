/**
 * Emits registered events: validates the payload against the registry, stores the event in
 * its stream's durable log (which assigns the sequence), then hands it to live listeners.
 * The owners' `system` stream is live only: its figures are not worth keeping.
 */
import { randomUUID } from 'node:crypto'
import {
  eventRegistry,
  type Actor,
  type EventData,
  type EventType,
  type LoupeEvent,
} from '../../shared/protocol/events.ts'
import type { EventLog } from './event-log.ts'

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

  constructor(readonly log: EventLog) {}

  listen(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<T extends EventType>(type: T, input: EmitInput<T>): { stream: string; seq: number } {
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
    let stream: string
    let seq: number
    if (definition.stream === 'system') {
      stream = 'system'
      seq = ++this.systemSeq
    } else {
      const id = definition.stream === 'board' ? input.boardId : input.workspaceId
      if (!id) throw new Error(`${type} needs a ${definition.stream} id`)
      stream = `${definition.stream}:${id}`
      seq = this.log.append(stream, event as LoupeEvent).seq
    }
    for (const listener of this.listeners) listener(stream, seq, event as LoupeEvent)
    return { stream, seq }
  }

  /** Where a stream stands: the system stream lives in memory, the others in the log. */
  info(stream: string): { epoch: string; lastSeq: number; firstSeq: number } {
    if (stream === 'system')
      return { epoch: this.systemEpoch, lastSeq: this.systemSeq, firstSeq: this.systemSeq + 1 }
    return this.log.info(stream)
  }
}
