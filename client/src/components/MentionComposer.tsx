/**
 * A comment box with an @mention picker, built on the ARIA combobox pattern: focus stays in
 * the textarea, arrows move through the people who match (aria-activedescendant), Enter or
 * Tab picks, Escape closes, and a polite status says how many match. Only members are offered.
 */
import { createSignal, createUniqueId, For, Show } from 'solid-js'
import Send from 'lucide-solid/icons/send'
import type { User as Member } from '../lib/api.ts'

const MENTION = /@([\p{L}\p{N}_-]*)$/u

export function MentionComposer(props: {
  label: string
  members: Member[]
  placeholder?: string
  onPost: (body: string, mentions: string[]) => void
  onTyping: (on: boolean) => void
  ref?: (el: HTMLTextAreaElement) => void
}) {
  const id = createUniqueId()
  const [body, setBody] = createSignal('')
  const [mentions, setMentions] = createSignal<string[]>([])
  const [active, setActive] = createSignal(0)
  const [dismissed, setDismissed] = createSignal(false)
  let textarea!: HTMLTextAreaElement
  const caretText = () => body().slice(0, textarea?.selectionStart ?? body().length)
  const query = () => MENTION.exec(caretText())?.[1]
  const matches = () => {
    const q = query()
    return q === undefined || dismissed()
      ? []
      : props.members.filter((m) => m.name.toLowerCase().startsWith(q.toLowerCase())).slice(0, 6)
  }
  const open = () => matches().length > 0
  const pick = (member: Member) => {
    const before = caretText().replace(MENTION, `@${member.name} `)
    const after = body().slice(caretText().length)
    setBody(before + after)
    setMentions([...new Set([...mentions(), member.id])])
    queueMicrotask(() => {
      textarea.value = before + after
      textarea.setSelectionRange(before.length, before.length)
      textarea.focus()
    })
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const submit = () => {
    if (!body().trim()) return
    const used = mentions().filter((mid) =>
      body().includes(`@${props.members.find((m) => m.id === mid)?.name}`),
    )
    props.onPost(body().trim(), used)
    setBody('')
    setMentions([])
    props.onTyping(false)
  }
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <label class="sr-only" for={`${id}-input`}>
        {props.label}
      </label>
      <div class="composer-box">
        <textarea
          ref={(el) => {
            textarea = el
            props.ref?.(el)
          }}
          id={`${id}-input`}
          class="input composer-input"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open()}
          aria-controls={`${id}-list`}
          aria-activedescendant={open() ? `${id}-option-${active()}` : undefined}
          placeholder={props.placeholder ?? 'Write a comment… @ to mention'}
          value={body()}
          rows={2}
          onInput={(e) => {
            setBody(e.currentTarget.value)
            setActive(0)
            setDismissed(false)
            props.onTyping(true)
            clearTimeout(timer)
            timer = setTimeout(() => props.onTyping(false), 3000)
          }}
          onKeyDown={(e) => {
            if (open()) {
              const n = matches().length
              if (e.key === 'ArrowDown') setActive((active() + 1) % n)
              else if (e.key === 'ArrowUp') setActive((active() - 1 + n) % n)
              else if (e.key === 'Enter' || e.key === 'Tab') {
                const member = matches()[active()]
                if (member) pick(member)
              } else if (e.key === 'Escape') setDismissed(true)
              else return
              e.preventDefault()
              e.stopPropagation()
              return
            }
            // Enter posts, Shift+Enter is a new line (as in chat apps).
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault()
              submit()
            }
          }}
          onBlur={() => setTimeout(() => setDismissed(true), 150)}
          onFocus={() => setDismissed(false)}
        />
        <button
          type="submit"
          class="button primary small post-button"
          aria-label="Post"
          disabled={!body().trim()}
        >
          <Send size={16} aria-hidden="true" />
          <span class="button-label">Post</span>
        </button>
      </div>
      <ul
        id={`${id}-list`}
        role="listbox"
        aria-label="People to mention"
        class="mention-list"
        hidden={!open()}
      >
        <For each={matches()}>
          {(member, i) => (
            <li
              id={`${id}-option-${i()}`}
              role="option"
              aria-selected={active() === i()}
              class="mention-option"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => pick(member)}
              onMouseEnter={() => setActive(i())}
            >
              <span class="avatar small" style={{ background: member.color }} aria-hidden="true">
                {member.name.slice(0, 1).toUpperCase()}
              </span>
              @{member.name}
            </li>
          )}
        </For>
      </ul>
      <span class="sr-only" role="status">
        <Show when={open()}>
          {matches().length} {matches().length === 1 ? 'person matches' : 'people match'}; arrows to
          choose, Enter to pick.
        </Show>
      </span>
    </form>
  )
}
