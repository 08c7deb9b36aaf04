/**
 * Attention from outside the page: the tab title and favicon carry the unread count, and
 * mentions can raise a desktop notification — only after the person asked for them.
 */
import { createEffect, createSignal, type Accessor } from 'solid-js'

const BASE_TITLE = 'Loupe'
const DESKTOP_KEY = 'loupe-desktop-notifications'

function favicon(count: number): string {
  const badge =
    count > 0
      ? `<circle cx="23" cy="9" r="9" fill="#ce2c31"/><text x="23" y="13" font-size="${count > 9 ? 10 : 12}" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">${count > 99 ? '99' : count}</text>`
      : ''
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="1" y="4" width="26" height="26" rx="7" fill="#3e63dd"/><circle cx="14" cy="17" r="6.5" fill="none" stroke="#fff" stroke-width="3"/><path d="M19 22l4 4" stroke="#fff" stroke-width="3" stroke-linecap="round"/>${badge}</svg>`
  return `data:image/svg+xml,${encodeURIComponent(svg)}`
}

/** Keeps the title ("(3) Loupe") and the favicon badge in step with `unread`. */
export function createTabAttention(unread: Accessor<number>, page: Accessor<string>): void {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]')
  if (!link) {
    link = document.createElement('link')
    link.rel = 'icon'
    document.head.append(link)
  }
  const icon = link
  createEffect(() => {
    const n = unread()
    const name = page()
    document.title = `${n > 0 ? `(${n}) ` : ''}${name ? `${name} · ` : ''}${BASE_TITLE}`
    icon.href = favicon(n)
  })
}

const supported = typeof Notification !== 'undefined'
const [desktop, setDesktopSignal] = createSignal(
  supported && Notification.permission === 'granted' && localStorage.getItem(DESKTOP_KEY) === 'on',
)
export const desktopNotifications = desktop
export const desktopSupported = supported

/** Asks the browser for permission (only on the person's click) and remembers the answer. */
export async function setDesktopNotifications(on: boolean): Promise<boolean> {
  if (!supported) return false
  if (on && Notification.permission !== 'granted') {
    const answer = await Notification.requestPermission()
    if (answer !== 'granted') on = false
  }
  localStorage.setItem(DESKTOP_KEY, on ? 'on' : 'off')
  setDesktopSignal(on)
  return on
}

export function notifyDesktop(title: string, body: string, link: string): void {
  if (!desktop() || !document.hidden) return
  const note = new Notification(title, { body, tag: link })
  note.onclick = () => {
    window.focus()
    location.hash = link
    note.close()
  }
}
