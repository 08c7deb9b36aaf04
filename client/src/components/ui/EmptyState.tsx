import { Show, type JSX } from 'solid-js'

/** The same calm empty state everywhere: an icon, one line of what this is, one next step. */
export function EmptyState(props: {
  icon: JSX.Element
  title: string
  children?: JSX.Element
  action?: JSX.Element
}) {
  return (
    <div class="empty-state">
      <span class="empty-icon" aria-hidden="true">
        {props.icon}
      </span>
      <p class="empty-title">{props.title}</p>
      <Show when={props.children}>
        <p class="empty-text">{props.children}</p>
      </Show>
      {props.action}
    </div>
  )
}

/** Grey placeholder bars while something loads (never a spinner that moves the layout). */
export function Skeleton(props: { lines?: number; class?: string }) {
  return (
    <div class={`skeleton ${props.class ?? ''}`} aria-hidden="true">
      {Array.from({ length: props.lines ?? 3 }, (_, i) => (
        <span class="skeleton-line" style={{ width: `${90 - ((i * 23) % 45)}%` }} />
      ))}
    </div>
  )
}
