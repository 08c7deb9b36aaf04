import { Dialog } from '@kobalte/core/dialog'
import X from 'lucide-solid/icons/x'

/** A small dialog asking for one value (instead of the browser's prompt()). */
export function PromptDialog(props: {
  open: boolean
  title: string
  label: string
  value: string
  submit: string
  onClose: () => void
  onSubmit: (value: string) => void | Promise<void>
}) {
  return (
    <Dialog open={props.open} onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay class="scrim" />
        <div class="dialog-position">
          <Dialog.Content class="dialog">
            <header class="dialog-head">
              <Dialog.Title class="dialog-title">{props.title}</Dialog.Title>
              <Dialog.CloseButton class="icon-button ghost" aria-label="Close">
                <X size={18} />
              </Dialog.CloseButton>
            </header>
            <form
              class="dialog-form"
              onSubmit={(e) => {
                e.preventDefault()
                const input = e.currentTarget.elements.namedItem('value') as HTMLInputElement
                if (input.value.trim()) void props.onSubmit(input.value.trim())
              }}
            >
              <label class="field">
                <span class="field-label">{props.label}</span>
                <input name="value" class="input" value={props.value} required maxLength={200} />
              </label>
              <div class="dialog-actions">
                <button type="button" class="button" onClick={() => props.onClose()}>
                  Cancel
                </button>
                <button type="submit" class="button primary">
                  {props.submit}
                </button>
              </div>
            </form>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
