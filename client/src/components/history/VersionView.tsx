/**
 * The board as it was at a version (`?version=<id>` on any board view): its state is fetched
 * and shown with the normal views, read-only (lib/version-store.ts), under a banner that says
 * when it is from, restores the whole board (editors, after a confirmation) and leads back to
 * now. The live board stays connected underneath, untouched.
 */
import { createSignal, Match, Show, Switch, type JSX } from 'solid-js'
import RotateCcwClock from 'lucide-solid/icons/rotate-ccw-clock'
import type { BoardVersion } from '../../../../shared/api.ts'
import { api } from '../../lib/api.ts'
import { BoardContext, useBoard, type BoardStore } from '../../lib/board-store.ts'
import { withQuery } from '../../lib/router.ts'
import { exactTime } from '../../lib/time.ts'
import { createVersionStore } from '../../lib/version-store.ts'
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx'
import { Skeleton } from '../ui/EmptyState.tsx'
import { showToast } from '../ui/toast.tsx'
import { restoreFromVersion } from './restore.ts'
import '../../styles/history.css'

export function VersionView(props: { versionId: string; children: JSX.Element }) {
  const live = useBoard()
  const [loaded, setLoaded] = createSignal<{ state: Uint8Array; version: BoardVersion } | null>(
    null,
  )
  const [failed, setFailed] = createSignal<string | null>(null)
  Promise.all([api.versionState(live.boardId, props.versionId), api.versions(live.boardId)])
    .then(([state, { versions }]) => {
      const version = versions.find((v) => v.id === props.versionId)
      if (!version) throw new Error('there is no such version')
      setLoaded({ state, version })
    })
    .catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)))
  return (
    <Switch
      fallback={
        <div class="version-loading" aria-busy="true">
          <Skeleton lines={6} />
        </div>
      }
    >
      <Match when={failed()}>
        {(message) => (
          <p role="alert" class="banner danger">
            This version could not be opened: {message()}.{' '}
            <a href={withQuery({ version: null })}>Back to the board as it is now</a>
          </p>
        )}
      </Match>
      <Match when={loaded()} keyed>
        {(opened) => (
          <VersionScope live={live} state={opened.state} version={opened.version}>
            {props.children}
          </VersionScope>
        )}
      </Match>
    </Switch>
  )
}

function VersionScope(props: {
  live: BoardStore
  state: Uint8Array
  version: BoardVersion
  children: JSX.Element
}) {
  const store = createVersionStore(props.live, props.state, props.version)
  return (
    <BoardContext.Provider value={store}>
      <VersionBanner />
      {props.children}
    </BoardContext.Provider>
  )
}

/** "Automatic checkpoint" or the version's name. */
export function versionName(version: BoardVersion): string {
  return version.name ?? 'Automatic checkpoint'
}

function VersionBanner() {
  const board = useBoard()
  const version = () => board.version as NonNullable<BoardStore['version']>
  const [confirming, setConfirming] = createSignal(false)
  return (
    <section class="banner version-banner" aria-label="Past version" data-testid="version-banner">
      <RotateCcwClock size={18} aria-hidden="true" />
      <p class="version-banner-text">
        Viewing <strong>{versionName(version())}</strong>, {exactTime(version().createdAt)} — read
        only. Restoring one thing from it brings back just that; later work on the rest stays.
      </p>
      <Show when={version().canRestore()}>
        <button type="button" class="button small" onClick={() => setConfirming(true)}>
          Restore whole board…
        </button>
      </Show>
      <a class="button small primary" href={withQuery({ version: null })}>
        Back to now
      </a>
      <ConfirmDialog
        open={confirming()}
        title="Restore the whole board?"
        confirm="Restore whole board"
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          // The board as it is now is kept first, so the restore itself can be taken back.
          const kept = await api
            .nameVersion(board.boardId, `Before restoring ${versionName(version())}`)
            .then(
              () => true,
              (error: Error) => {
                showToast(
                  'error',
                  'Nothing was restored',
                  `The board as it is now could not be kept first: ${error.message}`,
                )
                return false
              },
            )
          if (kept && (await restoreFromVersion(board)))
            location.hash = withQuery({ version: null })
        }}
      >
        Everything on the board — tasks, threads, media and marks — becomes as it was in{' '}
        {versionName(version())} ({exactTime(version().createdAt)}), for everyone, as a new change.
        The board as it is now is kept first as a named version, “Before restoring{' '}
        {versionName(version())}”, so you can go back to it.
      </ConfirmDialog>
    </section>
  )
}
