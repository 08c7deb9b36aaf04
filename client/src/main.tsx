/**
 * The entry: tiny, so a page opened on a board starts reading that board from IndexedDB and
 * fetching the board's code at once, in parallel with the shell's own code (boot.tsx) rather
 * than after it has loaded and run (an offline reload of a 1000-task board spent 250–430 ms
 * there before the first read). App.tsx asks for the same modules again; they load once.
 */
import './styles/tokens.css'
import './styles/tokens-dark.css'
import './styles/base.css'
import './styles/controls.css'
import './styles/shell.css'
import './styles/board.css'
import './styles/tasks.css'
import './styles/responsive.css'

// The board's id and view as lib/router.ts's parseRoute reads them (`#/b/<board>/tasks…`),
// without its imports. The task view of the live board (no `version=`) has a first screen.
const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?', 2)
const [head, id, kind] = path.split('/').filter(Boolean)
const boot = import('./boot.tsx')
if (head === 'b' && id) {
  try {
    const boardId = decodeURIComponent(id)
    const tasks =
      (kind === 'tasks' || kind === 'task') && !new URLSearchParams(query).has('version')
    void import('./lib/board-preload.ts').then((m) => m.preloadBoard(boardId, tasks))
    void import('./pages/Board.tsx')
  } catch {
    // A malformed id: the shell says so (App.tsx reads the same hash).
  }
}

// The service worker is registered once the page and the shell have loaded, as before.
if ('serviceWorker' in navigator) {
  const loaded = new Promise((done) => window.addEventListener('load', done, { once: true }))
  void Promise.all([boot, loaded]).then(
    () => void navigator.serviceWorker.register('/sw.js').catch(() => {}),
  )
}
