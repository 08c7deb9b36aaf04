/**
 * Toasts for errors and refusals (lock refused, permission denied, upload too large, server
 * cannot save) and quiet confirmations. Kobalte's toaster: a polite live region, swipe and
 * timeout handled; errors stay until dismissed.
 */
import { Toast, toaster } from '@kobalte/core/toast'
import { Show } from 'solid-js'
import { Portal } from 'solid-js/web'
import CircleAlert from 'lucide-solid/icons/circle-alert'
import CircleCheck from 'lucide-solid/icons/circle-check'
import X from 'lucide-solid/icons/x'

export type ToastKind = 'error' | 'info' | 'success'

export function showToast(kind: ToastKind, title: string, description?: string): void {
  toaster.show((props) => (
    <Toast
      toastId={props.toastId}
      class={`toast ${kind}`}
      persistent={kind === 'error'}
      duration={kind === 'error' ? undefined : 5000}
      data-testid="toast"
    >
      <span class="toast-icon" aria-hidden="true">
        {kind === 'error' ? <CircleAlert size={18} /> : <CircleCheck size={18} />}
      </span>
      <div class="toast-text">
        <Toast.Title class="toast-title">{title}</Toast.Title>
        <Show when={description}>
          <Toast.Description class="toast-description">{description}</Toast.Description>
        </Show>
      </div>
      <Toast.CloseButton class="icon-button ghost" aria-label="Dismiss">
        <X size={16} />
      </Toast.CloseButton>
    </Toast>
  ))
}

/** Where toasts appear (once, in the shell). */
export function Toaster() {
  return (
    <Portal>
      <Toast.Region aria-label="Notifications" limit={4}>
        <Toast.List class="toast-list" />
      </Toast.Region>
    </Portal>
  )
}
