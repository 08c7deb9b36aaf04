/**
 * Clients of one board on two nodes (docs/cluster.md, "Relaying to the owner"): the node that
 * does not own the board relays its clients to the owner over Redis, so both sides converge,
 * see each other's presence, and only the owner runs the room.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { board, createTask, updateTask } from '../../shared/schema/board.ts'
import { cleanup, eventually, startTestServer, synced } from '../harness.ts'
import { testPostgres } from './postgres.ts'
import { skipWithoutRedis } from './redis.ts'
import { joinCluster, newCluster } from './test-node.ts'

const postgres = await testPostgres()

describe.skipIf(!postgres || skipWithoutRedis)('two nodes, one board', () => {
  afterEach(cleanup)

  it('clients on different nodes converge and see each other; only the owner runs the room', async () => {
    const a = await startTestServer({ node: newCluster() })
    const b = await startTestServer({ node: joinCluster(a) })
    const boardId = await a.createBoard('Shared')

    const docA = new Y.Doc()
    const pa = a.provider(boardId, docA)
    await synced(pa)
    const docB = new Y.Doc()
    const pb = b.provider(boardId, docB)
    await synced(pb)
    expect(board(docB).meta.get('title')).toBe('Shared')
    // B relays to A, the owner; it runs no room of its own.
    expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2)
    expect(b.server.rooms.loaded(boardId)).toBeUndefined()

    createTask(docA, { id: 't1', title: 'From A', order: 'a0', createdBy: 'local' })
    createTask(docB, { id: 't2', title: 'From B', order: 'a1', createdBy: 'local' })
    await eventually(() => {
      expect(board(docA).tasks.get('t2')?.get('title')).toBe('From B')
      expect(board(docB).tasks.get('t1')?.get('title')).toBe('From A')
    })
    updateTask(docA, 't2', { status: 'doing' })
    updateTask(docB, 't1', { priority: 'urgent' })
    await eventually(() => {
      expect(Y.encodeStateVector(docA)).toEqual(Y.encodeStateVector(docB))
      expect(board(docB).tasks.get('t2')?.get('status')).toBe('doing')
      expect(board(docA).tasks.get('t1')?.get('priority')).toBe('urgent')
    })

    // Presence spans the nodes, with identities the owner stamped.
    ;(pa.awareness as Awareness).setLocalStateField('cursor', { x: 1, y: 2 })
    ;(pb.awareness as Awareness).setLocalStateField('cursor', { x: 3, y: 4 })
    await eventually(() => {
      const seenByA = [...pa.awareness.getStates().values()].map((s) => s.cursor)
      const seenByB = [...pb.awareness.getStates().values()].map((s) => s.cursor)
      expect(seenByA).toContainEqual({ x: 3, y: 4 })
      expect(seenByB).toContainEqual({ x: 1, y: 2 })
    })

    // A late client on B gets everything, committed by the owner.
    const docC = new Y.Doc()
    await synced(b.provider(boardId, docC))
    expect(Y.encodeStateVector(docC)).toEqual(Y.encodeStateVector(docA))

    // B's client leaving is the owner's news too.
    pb.destroy()
    await eventually(() => expect(a.server.rooms.loaded(boardId)?.peers.size).toBe(2))
  })
})
