/**
 * The live socket's JSON messages (docs/product.md, "Live socket"), as zod schemas both sides use.
 * Requests carry a client `id` and get a `reply` with the same id.
 */
import { z } from 'zod'
import type { LoupeEvent } from './events.ts'

/** The live protocol version; a hello with another gets close 4426. */
export const LIVE_PROTOCOL_VERSION = 1

const requestId = z.union([z.string().min(1).max(64), z.number().int()])

export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    v: z.number().int(),
    sessionId: z.string().max(64).optional(),
  }),
  z.object({ type: z.literal('pong'), t: z.number() }),
  z.object({
    type: z.literal('subscribe'),
    id: requestId,
    stream: z.string().max(80),
    afterSeq: z.number().int().min(0).optional(),
    types: z.array(z.string().max(64)).max(64).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), id: requestId, stream: z.string().max(80) }),
  z.object({
    type: z.literal('notifications.read'),
    id: requestId,
    ids: z.array(z.string().max(64)).max(1000),
  }),
  z.object({
    type: z.literal('lock.acquire'),
    id: requestId,
    key: z.string().max(200),
    ttlMs: z.number().int().positive().optional(),
    wait: z.boolean().optional(),
  }),
  z.object({ type: z.literal('lock.release'), id: requestId, key: z.string().max(200) }),
  z.object({
    type: z.literal('lock.renew'),
    id: requestId,
    key: z.string().max(200),
    ttlMs: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('lock.cancel'), id: requestId, key: z.string().max(200) }),
])

export type ClientMessage = z.infer<typeof clientMessage>
/** Messages that get a `reply` with their `id`. */
export type ClientRequest = Extract<ClientMessage, { id: unknown }>
/** A request as a caller writes it; the sending side adds the id. */
export type ClientRequestBody = ClientRequest extends infer R
  ? R extends ClientRequest
    ? Omit<R, 'id'>
    : never
  : never
export type ClientMessageType = ClientMessage['type']
export const clientMessageTypes = clientMessage.options.map((o) => o.shape.type.value)

export interface ReplyError {
  code: string
  message: string
  [detail: string]: unknown
}

export type ServerMessage =
  | { type: 'welcome'; v: number; sessionId: string; heartbeatMs: number; resumed: boolean }
  | { type: 'ping'; t: number }
  | { type: 'reply'; id: string | number; ok: true; result: unknown }
  | { type: 'reply'; id: string | number; ok: false; error: ReplyError }
  | { type: 'event'; stream: string; seq: number; event: LoupeEvent }
  | { type: 'reset'; stream: string; epoch: string; lastSeq: number }
  | { type: 'notification'; notification: unknown }
  | { type: 'error'; error: ReplyError }
  /**
   * Everything this user's connections sent to the board is committed up to this state
   * vector (base64 of a Yjs state vector): a client compares its own clock with it to say
   * "all changes saved" only when the server has them on disk.
   */
  | { type: 'doc.committed'; boardId: string; stateVector: string }

export const serverMessageTypes = [
  'welcome',
  'ping',
  'reply',
  'event',
  'reset',
  'notification',
  'error',
  'doc.committed',
] as const
