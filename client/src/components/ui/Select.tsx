/**
 * A styled select (Kobalte): a button showing the choice and a listbox popover, keyboard and
 * screen-reader ready. Options are value/label pairs. (No hidden native select: nothing here
 * submits a form, and Kobalte hides it in a way axe flags as a focusable hidden element.)
 */
import { Select as K } from '@kobalte/core/select'
import Check from 'lucide-solid/icons/check'
import ChevronDown from 'lucide-solid/icons/chevron-down'

export interface Choice {
  value: string
  label: string
}

export function Select(props: {
  label: string
  options: Choice[]
  value: string
  onChange: (value: string) => void
  /** Keep the label for screen readers only (e.g. in a table row that says whose role it is). */
  hideLabel?: boolean
  class?: string
}) {
  const selected = () => props.options.find((o) => o.value === props.value) ?? null
  return (
    <K<Choice>
      class={`field select-field ${props.class ?? ''}`}
      options={props.options}
      optionValue="value"
      optionTextValue="label"
      value={selected()}
      onChange={(choice) => choice && choice.value !== props.value && props.onChange(choice.value)}
      disallowEmptySelection
      itemComponent={(item) => (
        <K.Item item={item.item} class="menu-item select-item">
          <K.ItemLabel>{item.item.rawValue.label}</K.ItemLabel>
          <K.ItemIndicator class="select-check">
            <Check size={14} />
          </K.ItemIndicator>
        </K.Item>
      )}
    >
      <K.Label class={props.hideLabel ? 'sr-only' : 'field-label'}>{props.label}</K.Label>
      <K.Trigger class="select-trigger">
        <K.Value<Choice>>{(state) => state.selectedOption()?.label}</K.Value>
        <K.Icon class="select-icon">
          <ChevronDown size={14} />
        </K.Icon>
      </K.Trigger>
      <K.Portal>
        <K.Content class="menu select-content">
          <K.Listbox class="select-listbox" />
        </K.Content>
      </K.Portal>
    </K>
  )
}
