import { createSignal } from 'solid-js'

/**
 * Asks the Search panel to take the keyboard (the `/` and Ctrl/⌘+K shortcuts): a count, so
 * asking again while it is open focuses it again.
 */
const [requests, setRequests] = createSignal(0)
export const searchRequests = requests
export const requestSearchFocus = () => setRequests((n) => n + 1)
