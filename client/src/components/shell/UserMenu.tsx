/**
 * Who I am, at the foot of the sidebar: the theme (System / Light / Dark, remembered), the
 * shortcut list, and signing out — one Kobalte menu, plus a one-click theme toggle.
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { Show } from 'solid-js'
import Keyboard from 'lucide-solid/icons/keyboard'
import LogOut from 'lucide-solid/icons/log-out'
import Monitor from 'lucide-solid/icons/monitor'
import Moon from 'lucide-solid/icons/moon'
import Sun from 'lucide-solid/icons/sun'
import { api } from '../../lib/api.ts'
import type { AppContext } from '../../lib/app-context.ts'
import { resolvedTheme, setTheme, themeChoice, type ThemeChoice } from '../../lib/theme.ts'

export function UserMenu(props: { ctx: AppContext; onShortcuts: () => void }) {
  return (
    <div class="user-row">
      <DropdownMenu>
        <DropdownMenu.Trigger class="user-button" aria-label={`Account: ${props.ctx.me.name}`}>
          <span class="avatar" style={{ background: props.ctx.me.color }} aria-hidden="true">
            {props.ctx.me.name.slice(0, 1).toUpperCase()}
          </span>
          <span class="nav-label user-name">{props.ctx.me.name}</span>
          <span
            class="live-dot"
            classList={{ on: props.ctx.connected() }}
            title={props.ctx.connected() ? 'Connected' : 'Reconnecting'}
          />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content class="menu">
            <DropdownMenu.Group>
              <DropdownMenu.GroupLabel class="menu-label">Theme</DropdownMenu.GroupLabel>
              <DropdownMenu.RadioGroup
                value={themeChoice()}
                onChange={(value) => setTheme(value as ThemeChoice)}
              >
                <DropdownMenu.RadioItem value="system" class="menu-item">
                  <Monitor size={16} aria-hidden="true" /> System
                </DropdownMenu.RadioItem>
                <DropdownMenu.RadioItem value="light" class="menu-item">
                  <Sun size={16} aria-hidden="true" /> Light
                </DropdownMenu.RadioItem>
                <DropdownMenu.RadioItem value="dark" class="menu-item">
                  <Moon size={16} aria-hidden="true" /> Dark
                </DropdownMenu.RadioItem>
              </DropdownMenu.RadioGroup>
            </DropdownMenu.Group>
            <DropdownMenu.Separator class="menu-separator" />
            <DropdownMenu.Item class="menu-item" onSelect={() => props.onShortcuts()}>
              <Keyboard size={16} aria-hidden="true" /> Keyboard shortcuts
              <kbd class="menu-kbd">?</kbd>
            </DropdownMenu.Item>
            <Show when={props.ctx.auth}>
              <DropdownMenu.Item
                class="menu-item"
                onSelect={() => void api.logout().then(() => location.reload())}
              >
                <LogOut size={16} aria-hidden="true" /> Sign out
              </DropdownMenu.Item>
            </Show>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu>
      <ThemeToggle />
    </div>
  )
}

/** One click between light and dark (the menu also offers "follow the system"). */
export function ThemeToggle() {
  return (
    <button
      type="button"
      class="icon-button ghost theme-toggle"
      data-testid="theme-toggle"
      aria-label={resolvedTheme() === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
      onClick={() => setTheme(resolvedTheme() === 'dark' ? 'light' : 'dark')}
    >
      {resolvedTheme() === 'dark' ? <Sun size={18} /> : <Moon size={18} />}
    </button>
  )
}
