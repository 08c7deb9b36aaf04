// The app shell proper, loaded by main.tsx beside a board's own code.
import { render } from 'solid-js/web'
// The theme is applied before the first render, so a dark-mode person never sees a light flash.
import './lib/theme.ts'
import { App } from './App.tsx'

const root = document.getElementById('root')
if (root) render(() => <App />, root)
