/**
 * A lucide icon for lists of many rows (task cards): lucide-solid builds each icon through
 * splitProps, two memos, a spread and a <Dynamic> per shape, which was most of a task card's
 * render (six icons a card, about 60 ms for the first screen of a 1000-task board). The same
 * SVG is built once here, outside any render, and every use is a copy of it.
 */
import { createComponent, createRoot, type JSX } from 'solid-js'
import type { LucideProps } from 'lucide-solid'

type Icon = (props: LucideProps) => JSX.Element

/** Resolves what a component returned (an element, or accessors of one) to a node. */
function resolve(value: unknown): unknown {
  while (typeof value === 'function') value = (value as () => unknown)()
  return value
}

/** The icon rendered on its own, or null where that cannot be done here. */
function render(Icon: Icon, size: number): Element | null {
  if (typeof document === 'undefined') return null
  // Its root is never disposed: it lives as long as the page.
  return createRoot((dispose) => {
    const node = resolve(createComponent(Icon, { size }))
    // Inside a transition Solid may run the icon's effects later: attributes, shapes not yet set.
    if (node instanceof Element && node.hasAttribute('viewBox') && node.childNodes.length > 0)
      return node
    dispose()
    return null
  })
}

/**
 * `stampIcon(Pencil, 16)()` gives what `<Pencil size={16} />` gives. Made at a module's top
 * level, the icon is rendered there, once; each call returns a fresh copy (or, should it not
 * have rendered, the component itself).
 */
export function stampIcon(Icon: Icon, size: number): () => JSX.Element {
  let made = render(Icon, size)
  return () => {
    made ??= render(Icon, size)
    return made ? (made.cloneNode(true) as Element) : createComponent(Icon, { size })
  }
}
