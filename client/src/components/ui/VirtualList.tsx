/**
 * A windowed list (@tanstack/solid-virtual): only the rows in view (plus a few) are in the
 * DOM, measured as they render, so a board with thousands of threads or tasks opens fast.
 * Short lists render whole — no scroll trickery for ten items.
 *
 * The virtualizer is made only once the list is long: one made while the list was empty keeps
 * the empty range it computed then (virtual-core recomputes the range on scroll and resize,
 * not when the count grows), and a board loading from IndexedDB would show no rows at all.
 */
import { createVirtualizer } from '@tanstack/solid-virtual'
import { createEffect, For, Show, type JSX } from 'solid-js'

export const WINDOW_FROM = 40

interface ListProps<T> {
  items: T[]
  estimate: number
  key: (item: T) => string
  children: (item: T, index: () => number) => JSX.Element
  class?: string
  /** Scroll so this key is in view when it changes. */
  reveal?: string | null
  /** What the scrolling region holds, for screen readers. */
  label: string
}

export function VirtualList<T>(props: ListProps<T>) {
  return (
    <Show
      when={props.items.length >= WINDOW_FROM}
      fallback={
        // Focusable, so a keyboard can scroll it (rows may hold nothing focusable).
        <div
          class={`virtual-scroller ${props.class ?? ''}`}
          aria-label={props.label}
          role="region"
          tabIndex={0}
        >
          <For each={props.items}>{(item, i) => props.children(item, i)}</For>
        </div>
      }
    >
      <Windowed {...props} />
    </Show>
  )
}

function Windowed<T>(props: ListProps<T>) {
  let scroller!: HTMLDivElement
  const virtualizer = createVirtualizer({
    get count() {
      return props.items.length
    },
    getScrollElement: () => scroller,
    estimateSize: () => props.estimate,
    overscan: 6,
    getItemKey: (index) => props.key(props.items[index] as T),
    // Rows are measured by the virtualizer's ResizeObserver, all of a frame's in one batch
    // after layout. A row's own call as it mounts (below) reads no layout: it gives the size
    // already known, or the estimate. Read there, each row's height forced a layout of its own
    // after the previous one moved the rows below it (50 ms profiled for a 1000-task board).
    measureElement: (element, entry, instance) => {
      const box = entry?.borderBoxSize?.[0]
      if (box) return Math.round(box.blockSize)
      if (entry) return (element as HTMLElement).offsetHeight
      const key = instance.options.getItemKey(instance.indexFromElement(element))
      return instance.itemSizeCache.get(key) ?? props.estimate
    },
  })
  createEffect(() => {
    const key = props.reveal
    if (!key) return
    const index = props.items.findIndex((item) => props.key(item) === key)
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' })
  })
  return (
    <div
      ref={scroller}
      class={`virtual-scroller ${props.class ?? ''}`}
      aria-label={props.label}
      role="region"
      tabIndex={0}
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
    </div>
  )
}
