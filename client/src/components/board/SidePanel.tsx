import { Tabs } from '@kobalte/core/tabs'
import { For } from 'solid-js'
import { useBoard } from '../../lib/board-store.ts'
import { createShortcuts } from '../../lib/shortcuts.ts'
import { boardPanels } from './panels.tsx'
import type { ViewerState } from './viewer-state.ts'

/** The right panel: Kobalte tabs over the registry; the open tab is in the URL (?panel=). */
export function SidePanel(props: { state: ViewerState }) {
  const board = useBoard()
  const value = () => (boardPanels.some((p) => p.id === board.panel()) ? board.panel() : 'threads')
  createShortcuts(
    boardPanels.map((p, i) => ({
      keys: ['Alt', String(i + 1)],
      description: `Show ${p.label}`,
      group: 'Navigation' as const,
      match: (e: KeyboardEvent) => e.altKey && e.code === `Digit${i + 1}`,
      run: () => board.selectPanel(p.id),
    })),
  )
  return (
    <Tabs class="side-panel" value={value()} onChange={board.selectPanel}>
      <Tabs.List class="tabs-list" aria-label="Board panels">
        <For each={boardPanels}>
          {(p) => (
            <Tabs.Trigger class="tab" value={p.id} title={p.label}>
              {p.icon()}
              <span class="tab-label">{p.label}</span>
            </Tabs.Trigger>
          )}
        </For>
        <Tabs.Indicator class="tab-indicator" />
      </Tabs.List>
      <For each={boardPanels}>
        {(p) => (
          <Tabs.Content class="tab-content" value={p.id}>
            {p.render(props.state)}
          </Tabs.Content>
        )}
      </For>
    </Tabs>
  )
}
