/**
 * The header of every page: a menu button on narrow screens, breadcrumbs (Workspace › Board ›
 * …) so there is always a way back up, and the page's own actions on the right.
 */
import { Breadcrumbs } from '@kobalte/core/breadcrumbs'
import { For, Show, type JSX } from 'solid-js'
import ChevronRight from 'lucide-solid/icons/chevron-right'
import Menu from 'lucide-solid/icons/menu'
import type { AppContext } from '../../lib/app-context.ts'

export interface Crumb {
  label: string
  href?: string
}

export function PageHeader(props: { ctx: AppContext; crumbs: Crumb[]; children?: JSX.Element }) {
  return (
    <header class="page-header">
      <button
        type="button"
        class="icon-button ghost nav-button"
        aria-label="Open navigation"
        onClick={() => props.ctx.openNav()}
      >
        <Menu size={20} />
      </button>
      <Breadcrumbs class="breadcrumbs" separator={<ChevronRight size={14} />}>
        <ol>
          <For each={props.crumbs}>
            {(crumb, i) => {
              const last = () => i() === props.crumbs.length - 1
              return (
                <li>
                  <Breadcrumbs.Link href={crumb.href} current={last()} class="crumb">
                    {crumb.label}
                  </Breadcrumbs.Link>
                  <Show when={!last()}>
                    <Breadcrumbs.Separator class="crumb-separator" />
                  </Show>
                </li>
              )
            }}
          </For>
        </ol>
      </Breadcrumbs>
      <div class="page-actions">{props.children}</div>
    </header>
  )
}
