/** Loupe's mark: a magnifier over a frame. */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
      <rect x="1" y="1" width="30" height="30" rx="8" fill="var(--accent-emphasis)" />
      <circle cx="14" cy="14" r="7" fill="none" stroke="#fff" stroke-width="3" />
      <path d="M19.5 19.5l5 5" stroke="#fff" stroke-width="3" stroke-linecap="round" />
    </svg>
  )
}
