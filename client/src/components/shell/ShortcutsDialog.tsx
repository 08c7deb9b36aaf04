/** The `?` overlay: every shortcut registered right now, by group, and the single-key switch. */
import { Dialog } from '@kobalte/core/dialog'
import { Switch } from '@kobalte/core/switch'
import { For } from 'solid-js'
import X from 'lucide-solid/icons/x'
import {
  setSingleKeyShortcuts,
  shortcuts,
  singleKeyShortcuts,
  type ShortcutGroup,
} from '../../lib/shortcuts.ts'

const order: ShortcutGroup[] = ['General', 'Navigation', 'Tools', 'Viewer', 'Editing']

export function ShortcutsDialog(props: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const groups = () =>
    order
      .map((group) => ({ group, items: shortcuts().filter((s) => s.group === group) }))
      .filter((g) => g.items.length > 0)
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay class="scrim" />
        <div class="dialog-position">
          <Dialog.Content class="dialog shortcuts-dialog">
            <header class="dialog-head">
              <Dialog.Title class="dialog-title">Keyboard shortcuts</Dialog.Title>
              <Dialog.CloseButton class="icon-button ghost" aria-label="Close">
                <X size={18} />
              </Dialog.CloseButton>
            </header>
            <div class="shortcut-groups">
              <For each={groups()}>
                {(g) => (
                  <section>
                    <h3 class="shortcut-group">{g.group}</h3>
                    <dl class="shortcut-list">
                      <For each={g.items}>
                        {(s) => (
                          <div class="shortcut-row">
                            <dt>{s.description}</dt>
                            <dd>
                              <For each={s.keys}>{(k) => <kbd>{k}</kbd>}</For>
                            </dd>
                          </div>
                        )}
                      </For>
                    </dl>
                  </section>
                )}
              </For>
            </div>
            <Switch class="switch" checked={singleKeyShortcuts()} onChange={setSingleKeyShortcuts}>
              <Switch.Input class="sr-only" />
              <Switch.Control class="switch-control">
                <Switch.Thumb class="switch-thumb" />
              </Switch.Control>
              <Switch.Label>Single-key shortcuts (letters, ?, [ ])</Switch.Label>
            </Switch>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  )
}
