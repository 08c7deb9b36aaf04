import { Tooltip as K } from '@kobalte/core/tooltip'
import type { JSX } from 'solid-js'

/**
 * A button with a tooltip (Kobalte): the label is also the button's accessible name, and the
 * shortcut, if any, shows beside it.
 */
export function IconButton(props: {
  label: string
  shortcut?: string
  onClick?: (e: MouseEvent) => void
  pressed?: boolean
  disabled?: boolean
  class?: string
  children: JSX.Element
  testId?: string
}) {
  return (
    <K openDelay={400} closeDelay={0}>
      <K.Trigger
        as="button"
        type="button"
        class={`icon-button ${props.class ?? ''}`}
        aria-label={props.label}
        aria-pressed={props.pressed}
        aria-keyshortcuts={props.shortcut}
        disabled={props.disabled}
        onClick={(e: MouseEvent) => props.onClick?.(e)}
        data-testid={props.testId}
      >
        {props.children}
      </K.Trigger>
      <K.Portal>
        <K.Content class="tooltip">
          {props.label}
          {props.shortcut ? <kbd>{props.shortcut}</kbd> : null}
        </K.Content>
      </K.Portal>
    </K>
  )
}
