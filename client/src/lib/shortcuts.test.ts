import { createRoot } from 'solid-js'
import { afterEach, describe, expect, it } from 'vitest'
import { createShortcuts, letter, setSingleKeyShortcuts, shortcuts, symbol } from './shortcuts.ts'

const press = (target: EventTarget, init: KeyboardEventInit) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }))

describe('keyboard shortcuts', () => {
  let dispose = () => {}
  afterEach(() => {
    dispose()
    setSingleKeyShortcuts(true)
    document.body.innerHTML = ''
  })

  const register = () => {
    const ran: string[] = []
    createRoot((d) => {
      dispose = d
      createShortcuts([
        {
          keys: ['R'],
          description: 'Rectangle',
          group: 'Tools',
          match: letter('r'),
          run: () => ran.push('r'),
        },
        {
          keys: ['?'],
          description: 'Help',
          group: 'General',
          match: symbol('?'),
          run: () => ran.push('?'),
        },
        {
          keys: ['Ctrl', 'Z'],
          description: 'Undo',
          group: 'Editing',
          match: letter('z', { mod: true }),
          run: () => ran.push('undo'),
        },
      ])
    })
    return ran
  }

  it('runs a registered shortcut and lists it while mounted', () => {
    const ran = register()
    press(document.body, { key: 'r', code: 'KeyR' })
    press(document.body, { key: '?', code: 'Slash', shiftKey: true })
    expect(ran).toEqual(['r', '?'])
    expect(shortcuts().map((s) => s.description)).toEqual(['Rectangle', 'Help', 'Undo'])
    dispose()
    expect(shortcuts()).toEqual([])
  })

  it('never fires while typing in a field, nor steals Space or Enter from a button', () => {
    const ran = register()
    const input = document.body.appendChild(document.createElement('textarea'))
    press(input, { key: 'r', code: 'KeyR' })
    const button = document.body.appendChild(document.createElement('button'))
    press(button, { key: 'Enter', code: 'Enter' })
    expect(ran).toEqual([])
  })

  it('matches letters by the physical key, so other layouts agree', () => {
    const ran = register()
    // A French AZERTY "z" sits where QWERTY has "w": the shortcut follows the position.
    press(document.body, { key: 'z', code: 'KeyW', ctrlKey: true })
    press(document.body, { key: 'w', code: 'KeyZ', ctrlKey: true })
    expect(ran).toEqual(['undo'])
  })

  it('runs a scoped shortcut before the others while its scope holds, never outside it', () => {
    let focused = false
    const rewound: string[] = []
    let disposeScoped = () => {}
    // Registered first, so only its scope puts it before the later, unscoped "R".
    createRoot((d) => {
      disposeScoped = d
      createShortcuts([
        {
          keys: ['R'],
          description: 'Rewind',
          group: 'Viewer',
          match: letter('r'),
          run: () => rewound.push('rewind'),
          when: () => focused,
        },
      ])
    })
    const ran = register()
    press(document.body, { key: 'r', code: 'KeyR' })
    focused = true
    press(document.body, { key: 'r', code: 'KeyR' })
    disposeScoped()
    expect(ran).toEqual(['r'])
    expect(rewound).toEqual(['rewind'])
  })

  it('can switch single-key shortcuts off (WCAG 2.1.4), keeping those with a modifier', () => {
    const ran = register()
    setSingleKeyShortcuts(false)
    press(document.body, { key: 'r', code: 'KeyR' })
    press(document.body, { key: 'z', code: 'KeyZ', ctrlKey: true })
    expect(ran).toEqual(['undo'])
  })
})
