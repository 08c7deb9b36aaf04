/**
 * One registry of keyboard shortcuts: components register theirs while they are mounted, one
 * window listener runs them, and the `?` overlay lists exactly what is registered. Keys never
 * fire while typing in a field, and single-key shortcuts can be switched off (WCAG 2.1.4).
 * Letters match the physical key (`code`), symbols the character (`key`), so layouts agree.
 */
import { createSignal, onCleanup } from 'solid-js'

export type ShortcutGroup = 'General' | 'Navigation' | 'Tools' | 'Viewer' | 'Editing'

export interface Shortcut {
  /** Shown in the overlay, e.g. ['Ctrl', 'Z'] or ['R']. */
  keys: string[]
  description: string
  group: ShortcutGroup
  match: (e: KeyboardEvent) => boolean
  run: (e: KeyboardEvent) => void
  /**
   * Only while this holds (e.g. the video player has focus); then the shortcut comes before
   * every unscoped one, so J/K/L shuttle the video there and step through threads elsewhere.
   */
  when?: () => boolean
}

const [registered, setRegistered] = createSignal<Shortcut[]>([])
export const shortcuts = registered

const SINGLE_KEY = 'loupe-single-key-shortcuts'
const [singleKeys, setSingleKeysSignal] = createSignal(localStorage.getItem(SINGLE_KEY) !== 'off')
export const singleKeyShortcuts = singleKeys
export function setSingleKeyShortcuts(on: boolean): void {
  localStorage.setItem(SINGLE_KEY, on ? 'on' : 'off')
  setSingleKeysSignal(on)
}

export const isMac = /Mac|iPhone|iPad/.test(navigator.platform)
export const MOD = isMac ? '⌘' : 'Ctrl'

/** A letter or digit key (physical), optionally with the platform modifier and Shift. */
export function letter(char: string, mods: { mod?: boolean; shift?: boolean } = {}) {
  const code = /\d/.test(char) ? `Digit${char}` : `Key${char.toUpperCase()}`
  return (e: KeyboardEvent) =>
    e.code === code &&
    (e.metaKey || e.ctrlKey) === !!mods.mod &&
    e.shiftKey === !!mods.shift &&
    !e.altKey
}

/** A symbol or named key by its character (`?`, `[`, `+`, `ArrowLeft`), without modifiers. */
export function symbol(...keys: string[]) {
  return (e: KeyboardEvent) => keys.includes(e.key) && !e.metaKey && !e.ctrlKey && !e.altKey
}

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))

const usesModifier = (e: KeyboardEvent) => e.metaKey || e.ctrlKey || e.altKey

/** Space and Enter belong to the focused button or link, never to a shortcut. */
const activates = (e: KeyboardEvent) =>
  (e.key === ' ' || e.key === 'Enter') &&
  e.target instanceof Element &&
  !!e.target.closest('button, a, [role="button"], [role="tab"], [role="menuitem"], [role="option"]')

window.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || typing(e.target) || activates(e)) return
  if (!usesModifier(e) && !singleKeys()) return
  // Scoped shortcuts whose scope holds first; then later registrations (the innermost view)
  // win over earlier ones.
  const list = registered()
  const inScope = list.filter((s) => s.when?.())
  for (const shortcut of [...inScope.reverse(), ...list.filter((s) => !s.when).reverse()]) {
    if (!shortcut.match(e)) continue
    e.preventDefault()
    shortcut.run(e)
    return
  }
})

/** Registers `list` while the calling component is mounted. */
export function createShortcuts(list: Shortcut[]): void {
  setRegistered((all) => [...all, ...list])
  onCleanup(() => setRegistered((all) => all.filter((s) => !list.includes(s))))
}
