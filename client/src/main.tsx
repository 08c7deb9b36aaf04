import { render } from 'solid-js/web'
import './styles/tokens.css'
import './styles/tokens-dark.css'
import './styles/base.css'
import './styles/controls.css'
import './styles/shell.css'
import './styles/board.css'
import './styles/tasks.css'
import './styles/responsive.css'
// The theme is applied before the first render, so a dark-mode person never sees a light flash.
import './lib/theme.ts'
import { App } from './App.tsx'

const root = document.getElementById('root')
if (root) render(() => <App />, root)

if ('serviceWorker' in navigator) {
  window.addEventListener(
    'load',
    () => void navigator.serviceWorker.register('/sw.js').catch(() => {}),
  )
}
