/**
 * A windowed list (@tanstack/solid-virtual): only the rows in view (plus a few) are in the
 * DOM, measured as they render, so a board with thousands of threads or tasks opens fast.
 * Short lists render whole — no scroll trickery for ten items.
 */
import { createVirtualizer } from '@tanstack/solid-virtual'
import { createEffect, For, Show, type JSX } from 'solid-js'

export const WINDOW_FROM = 40

export function VirtualList<T>(props: {
  items: T[]
  estimate: number
  key: (item: T) => string
  children: (item: T, index: () => number) => JSX.Element
  class?: string
  /** Scroll so this key is in view when it changes. */
  reveal?: string | null
  /** What the scrolling region holds, for screen readers. */
  label: string
}) {
  let scroller!: HTMLDivElement
  const virtualizer = createVirtualizer({
    get count() {
      return props.items.length
    },
    getScrollElement: () => scroller,
    estimateSize: () => props.estimate,
    overscan: 6,
    getItemKey: (index) => props.key(props.items[index] as T),
  })
  createEffect(() => {
    const key = props.reveal
    if (!key) return
    const index = props.items.findIndex((item) => props.key(item) === key)
    if (index >= 0 && props.items.length >= WINDOW_FROM)
      virtualizer.scrollToIndex(index, { align: 'center' })
  })
  return (
    <div
      ref={scroller}
      class={`virtual-scroller ${props.class ?? ''}`}
      aria-label={props.label}
      role={props.label ? 'region' : undefined}
      tabIndex={props.label ? 0 : undefined}
    >
      <Show
        when={props.items.length >= WINDOW_FROM}
        fallback={<For each={props.items}>{(item, i) => props.children(item, i)}</For>}
      >
        <div class="virtual-space" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          <For each={virtualizer.getVirtualItems()}>
            {(row) => (
              <div
                class="virtual-row"
                data-index={row.index}
                ref={(el) => queueMicrotask(() => virtualizer.measureElement(el))}
                style={{ transform: `translateY(${row.start}px)` }}
              >
                {props.children(props.items[row.index] as T, () => row.index)}
              </div>
            )}
          </For>
        </div>
      </Show>
    </div>
  )
}
