/** A tiny hash router: `#/b/<id>` and friends, so any path of the app shell works offline. */
import { createSignal } from 'solid-js'

function current(): string[] {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
}

const [route, setRoute] = createSignal(current())
window.addEventListener('hashchange', () => setRoute(current()))

export { route }

export function navigate(...parts: string[]): void {
  location.hash = `#/${parts.map(encodeURIComponent).join('/')}`
}

/** Links from outside (invite URLs are /invite/<code>) become hash routes. */
export function adoptPath(): void {
  const match = /^\/invite\/([A-Za-z0-9_-]+)$/.exec(location.pathname)
  if (match) history.replaceState(null, '', `/#/invite/${match[1]}`)
  setRoute(current())
}
