/**
 * `/api/capabilities` and `/api/openapi.json`, built from the registries the code runs on:
 * the app's routing table with the route docs, the event registry, the live message schemas
 * and the configured limits.
 */
import { Hono } from 'hono'
import { CloseCode } from '../../../shared/protocol/close-codes.ts'
import { describeEventTypes } from '../../../shared/protocol/events.ts'
import {
  clientMessageTypes,
  LIVE_PROTOCOL_VERSION,
  serverMessageTypes,
} from '../../../shared/protocol/live.ts'
import { YMessage } from '../../../shared/protocol/y-messages.ts'
import type { Config } from '../../config.ts'
import { openApiDocument, routeDocs } from '../api-docs.ts'

export interface CapabilityDeps {
  version: string
  config: Config
  /** The app's routing table (method and path of every handler). */
  routes: () => ReadonlyArray<{ method: string; path: string }>
}

/** Every documented endpoint that the app really routes, in the docs' order. */
export function listEndpoints(routes: ReadonlyArray<{ method: string; path: string }>) {
  const routed = new Set(routes.map((r) => `${r.method} ${r.path}`))
  return routeDocs
    .filter((d) => routed.has(`${d.method} ${d.path}`))
    .map((d) => ({ method: d.method, path: d.path, description: d.description, auth: d.auth }))
}

export function capabilityRoutes(deps: CapabilityDeps) {
  const app = new Hono()
  const { config } = deps

  app.get('/capabilities', (c) =>
    c.json({
      version: deps.version,
      auth: config.auth ? 'token' : 'off',
      sockets: [
        {
          path: '/ws/doc/<boardId>',
          protocol: 'y-websocket',
          messages: Object.entries(YMessage).map(([name, type]) => ({ name, type })),
          closeCodes: CloseCode,
        },
        {
          path: '/ws/live',
          protocol: `loupe-live/${LIVE_PROTOCOL_VERSION}`,
          messages: { client: clientMessageTypes, server: serverMessageTypes },
          closeCodes: CloseCode,
          heartbeatMs: config.heartbeatMs,
        },
      ],
      endpoints: listEndpoints(deps.routes()),
      streams: [
        {
          pattern: 'workspace:<id>',
          description: 'Members, boards and their changes; members of the workspace.',
        },
        {
          pattern: 'board:<id>',
          description: 'Activity on a board; members of its workspace, and guests of that board.',
        },
        {
          pattern: 'system',
          description: 'Live server figures every 5 s; workspace owners; not stored.',
        },
      ],
      eventTypes: describeEventTypes(),
      limits: {
        ...config.limits,
        awarenessFlushMs: config.awarenessFlushMs,
        eventRetentionDays: config.eventRetention.maxAgeMs / (24 * 3600 * 1000),
        eventRetentionPerStream: config.eventRetention.maxPerStream,
        eventsPageMax: 5000,
      },
    }),
  )

  app.get('/openapi.json', (c) => c.json(openApiDocument(deps.version)))
  return app
}
