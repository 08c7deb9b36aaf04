import { render } from 'solid-js/web'
import { App } from './App.tsx'
import './app.css'

const root = document.getElementById('root')
if (root) render(() => <App />, root)

if ('serviceWorker' in navigator) {
  window.addEventListener(
    'load',
    () => void navigator.serviceWorker.register('/sw.js').catch(() => {}),
  )
}
