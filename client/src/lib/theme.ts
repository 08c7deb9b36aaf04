/**
 * Light or dark: follows the system setting unless the person picked one, and remembers the
 * pick. The resolved theme is written to <html data-theme> so tokens-dark.css applies.
 */
import { createSignal } from 'solid-js'

export type ThemeChoice = 'system' | 'light' | 'dark'
const KEY = 'loupe-theme'
const query = window.matchMedia('(prefers-color-scheme: dark)')

const stored = localStorage.getItem(KEY)
const [choice, setChoice] = createSignal<ThemeChoice>(
  stored === 'light' || stored === 'dark' ? stored : 'system',
)
const [systemDark, setSystemDark] = createSignal(query.matches)
query.addEventListener('change', (e) => {
  setSystemDark(e.matches)
  apply()
})

export const themeChoice = choice
export const resolvedTheme = (): 'light' | 'dark' =>
  choice() === 'system' ? (systemDark() ? 'dark' : 'light') : (choice() as 'light' | 'dark')

function apply(): void {
  document.documentElement.dataset.theme = resolvedTheme()
}

export function setTheme(next: ThemeChoice): void {
  if (next === 'system') localStorage.removeItem(KEY)
  else localStorage.setItem(KEY, next)
  setChoice(next)
  apply()
}

apply()
