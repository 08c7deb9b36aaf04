import { Dialog } from '@kobalte/core/dialog'
import type { JSX } from 'solid-js'
import './confirm.css'

/**
 * Asks before something is destroyed (an alert dialog: focus starts on Cancel, Escape
 * cancels). The confirming button names the act ("Delete media").
 *
 * Built on Kobalte's Dialog with role="alertdialog" rather than its AlertDialog: importing
 * `@kobalte/core/alert-dialog` reassigns the shared Dialog root's `Content`
 * (`Object.assign(DialogRoot, …)`), which turned every other dialog into an alert dialog.
 */
export function ConfirmDialog(props: {
  open: boolean
  title: string
  children: JSX.Element
  confirm: string
  onClose: () => void
  onConfirm: () => void
}) {
  return (
    <Dialog open={props.open} onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay class="scrim" />
        <div class="dialog-position">
          <Dialog.Content role="alertdialog" class="dialog" data-testid="confirm-dialog">
            <header class="dialog-head">
              <Dialog.Title class="dialog-title">{props.title}</Dialog.Title>
            </header>
            <Dialog.Description class="confirm-text">{props.children}</Dialog.Description>
            <div class="dialog-actions">
              <Dialog.CloseButton class="button" aria-label="Cancel" autofocus>
                Cancel
              </Dialog.CloseButton>
              <button
                type="button"
                class="button destructive"
                onClick={() => {
                  props.onConfirm()
                  props.onClose()
                }}
              >
                {props.confirm}
              </button>
            </div>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
