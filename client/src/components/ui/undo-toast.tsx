/**
 * "Deleted — Undo": the quiet toast every delete shows its maker, with a button that undoes
 * that one change (lib/undo-step.ts). It stays 10 seconds; Ctrl/⌘+Z works as long as the
 * change is on the undo stack. Once the change is undone another way (Ctrl/⌘+Z), the toast
 * goes: its Undo would have nothing left to do.
 */
import { Toast, toaster } from '@kobalte/core/toast'
import { onCleanup, Show } from 'solid-js'
import Trash from 'lucide-solid/icons/trash'
import X from 'lucide-solid/icons/x'
import type { UndoStep } from '../../lib/undo-step.ts'
import { showToast } from './toast.tsx'

export function showUndoToast(
  title: string,
  description: string | undefined,
  undo: UndoStep | (() => boolean),
) {
  const id = toaster.show((props) => {
    if ('watch' in undo) onCleanup(undo.watch(() => toaster.dismiss(props.toastId)))
    return (
      <Toast toastId={props.toastId} class="toast" duration={10_000} data-testid="undo-toast">
        <span class="toast-icon" aria-hidden="true">
          <Trash size={18} />
        </span>
        <div class="toast-text">
          <Toast.Title class="toast-title">{title}</Toast.Title>
          <Show when={description}>
            <Toast.Description class="toast-description">{description}</Toast.Description>
          </Show>
        </div>
        <button
          type="button"
          class="button small"
          onClick={() => {
            toaster.dismiss(id)
            if (!undo()) showToast('info', 'Already undone')
          }}
        >
          Undo
        </button>
        <Toast.CloseButton class="icon-button ghost" aria-label="Dismiss">
          <X size={16} />
        </Toast.CloseButton>
      </Toast>
    )
  })
}
