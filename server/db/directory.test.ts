import { describe, expect, it } from 'vitest'
import { Directory } from './directory.ts'
import { openDb } from './open.ts'

/** The boards the directory keeps in memory must never answer differently from the table. */
describe('Directory: boards kept in memory', () => {
  function directoryWithBoard() {
    const db = openDb(':memory:', { sync: 'normal' })
    const directory = new Directory(db)
    directory.ensureUser({ id: 'u1', name: 'Ada', color: '#123456' })
    directory.createWorkspace({ id: 'w1', name: 'Team', createdBy: 'u1', createdAt: 1 })
    directory.createBoard({
      id: 'b1',
      workspaceId: 'w1',
      title: 'Cut 1',
      createdBy: 'u1',
      createdAt: 1,
    })
    return { db, directory }
  }

  it('answers a rename, an archive and an unarchive made after the board was read', () => {
    const { directory } = directoryWithBoard()
    expect(directory.board('b1')).toMatchObject({ title: 'Cut 1', archivedAt: null })
    directory.renameBoard('b1', 'Cut 2')
    expect(directory.board('b1')?.title).toBe('Cut 2')
    expect(directory.archiveBoard('b1')).toBe(true)
    expect(directory.board('b1')?.archivedAt).toEqual(expect.any(Number))
    expect(directory.unarchiveBoard('b1')).toBe(true)
    expect(directory.board('b1')?.archivedAt).toBeNull()
  })

  it('does not keep what a transaction that rolled back had changed', () => {
    const { db, directory } = directoryWithBoard()
    expect(directory.board('b1')?.title).toBe('Cut 1')
    const renameThenFail = db.transaction(() => {
      directory.renameBoard('b1', 'Never')
      // Read inside the transaction: it sees its own change, which must not outlive it.
      expect(directory.board('b1')?.title).toBe('Never')
      directory.archiveBoard('b1')
      expect(directory.board('b1')?.archivedAt).toEqual(expect.any(Number))
      throw new Error('rolled back')
    })
    expect(renameThenFail).toThrow('rolled back')
    expect(directory.board('b1')).toMatchObject({ title: 'Cut 1', archivedAt: null })
  })

  it('keeps no board that does not exist, and finds it once created', () => {
    const { directory } = directoryWithBoard()
    expect(directory.board('b2')).toBeUndefined()
    directory.createBoard({
      id: 'b2',
      workspaceId: 'w1',
      title: 'New',
      createdBy: 'u1',
      createdAt: 2,
    })
    expect(directory.board('b2')?.title).toBe('New')
  })

  it('hands out boards that cannot be changed in place', () => {
    const { directory } = directoryWithBoard()
    const board = directory.board('b1')!
    expect(() => Object.assign(board, { title: 'Changed' })).toThrow(TypeError)
    expect(directory.board('b1')?.title).toBe('Cut 1')
  })
})
