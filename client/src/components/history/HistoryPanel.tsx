/**
 * The History panel (a registry entry, board/panels.tsx): what others did since your last
 * visit, then the board's versions — automatic checkpoints and named ones, newest first,
 * windowed — each a link that opens it read-only; editors name the current state. While a
 * version is open, what differs from now comes first, each with its own Restore.
 */
import { createMemo, createResource, createSignal, For, Show } from 'solid-js'
import Bookmark from 'lucide-solid/icons/bookmark'
import RotateCcwClock from 'lucide-solid/icons/rotate-ccw-clock'
import type { BoardVersion } from '../../../../shared/api.ts'
import type { EntityType } from '../../../../shared/schema/board.ts'
import { api } from '../../lib/api.ts'
import { useBoard } from '../../lib/board-store.ts'
import { entityHref } from '../../lib/entity-links.ts'
import { withQuery } from '../../lib/router.ts'
import { exactTime, timeAgo } from '../../lib/time.ts'
import { EmptyState, Skeleton } from '../ui/EmptyState.tsx'
import { PromptDialog } from '../ui/PromptDialog.tsx'
import { showToast } from '../ui/toast.tsx'
import { VirtualList } from '../ui/VirtualList.tsx'
import { differences } from './differences.ts'
import { entityWords } from './restore.ts'
import { RestoreButton } from './RestoreButton.tsx'
import { versionName } from './VersionView.tsx'
import '../../styles/history.css'

export function HistoryPanel() {
  const board = useBoard()
  const [versions, { refetch }] = createResource(
    () => board.boardId,
    (id) => api.versions(id).then((r) => r.versions),
  )
  const [namedOnly, setNamedOnly] = createSignal(false)
  const [naming, setNaming] = createSignal(false)
  const list = () => (versions.latest ?? []).filter((v) => !namedOnly() || !v.auto)
  const canName = () => (board.version ? board.version.canRestore() : board.canEdit())
  return (
    <section class="history" aria-label="History">
      <Show when={board.version} fallback={<SinceLastVisit />}>
        <Differences />
      </Show>
      <div class="panel-toolbar">
        <Show when={canName()}>
          <button type="button" class="button small" onClick={() => setNaming(true)}>
            <Bookmark size={14} aria-hidden="true" /> Name this version…
          </button>
        </Show>
        <button
          type="button"
          class="button ghost small"
          aria-pressed={namedOnly()}
          onClick={() => setNamedOnly(!namedOnly())}
        >
          {namedOnly() ? 'Show all' : 'Named only'}
        </button>
      </div>
      <a
        class="version-row now"
        href={withQuery({ version: null })}
        aria-current={board.version ? undefined : 'true'}
      >
        <span class="version-name">Now</span>
        <span class="muted">the live board</span>
      </a>
      <Show
        when={!versions.loading || versions.latest}
        fallback={<Skeleton lines={4} class="history-skeleton" />}
      >
        <Show
          when={list().length > 0}
          fallback={
            <EmptyState icon={<RotateCcwClock size={28} />} title="No versions yet">
              {versions.error
                ? 'The history needs a connection.'
                : 'A version is kept a few minutes after editing pauses, or when you name one.'}
            </EmptyState>
          }
        >
          <VirtualList
            items={list()}
            estimate={52}
            key={(v) => v.id}
            reveal={board.version?.id ?? null}
            class="history-list"
            label="Versions"
          >
            {(version) => <VersionRow version={version} />}
          </VirtualList>
        </Show>
      </Show>
      <PromptDialog
        open={naming()}
        title="Name this version"
        label="Name"
        value=""
        submit="Name it"
        onClose={() => setNaming(false)}
        onSubmit={async (name) => {
          try {
            await api.nameVersion(board.boardId, name)
            showToast('success', `Named “${name}”`, 'The board as it is now is kept under it.')
            setNaming(false)
            void refetch()
          } catch (error) {
            showToast('error', 'Could not name this version', (error as Error).message)
          }
        }}
      />
    </section>
  )
}

function VersionRow(props: { version: BoardVersion }) {
  const board = useBoard()
  const open = () => board.version?.id === props.version.id
  return (
    <a
      class="version-row"
      classList={{ named: !props.version.auto }}
      href={withQuery({ version: props.version.id })}
      aria-current={open() ? 'true' : undefined}
      data-testid={`version-${props.version.id}`}
    >
      <span class="version-name">{versionName(props.version)}</span>
      <span class="muted">
        <time title={exactTime(props.version.createdAt)}>{timeAgo(props.version.createdAt)}</time>
        <Show when={props.version.createdBy}>{(who) => <> · {board.nameOf(who())}</>}</Show>
      </span>
    </a>
  )
}

const kindNames: Record<EntityType, string> = {
  task: 'Task',
  thread: 'Thread',
  media: 'Media',
  annotation: 'Mark',
}

/** What others added or changed since this person's last visit, until dismissed. */
function SinceLastVisit() {
  const board = useBoard()
  const since = board.sinceLastVisit
  return (
    <Show when={since.since() !== null && since.list().length > 0}>
      <section class="visit-list" aria-labelledby="visit-title">
        <header class="visit-head">
          <h3 id="visit-title" class="history-title">
            Since your last visit
          </h3>
          <span class="muted">
            <time title={exactTime(since.since() ?? 0)}>{timeAgo(since.since() ?? 0)}</time>
          </span>
          <button type="button" class="button ghost small" onClick={() => since.dismiss()}>
            Dismiss
          </button>
        </header>
        <ul class="visit-items">
          <For each={since.list().slice(0, 50)}>
            {(item) => (
              <li>
                <a
                  class="visit-item"
                  href={entityHref(
                    board.boardId,
                    item.entityType,
                    item.id,
                    item.entityType === 'annotation' ? board.annotations[item.id] : null,
                  )}
                >
                  <span class="chip accent">{item.change === 'added' ? 'New' : 'Updated'}</span>
                  <span class="visit-text">
                    {kindNames[item.entityType]}{' '}
                    {board.names.entity(item.entityType, item.id) ?? '(since deleted)'}
                  </span>
                </a>
              </li>
            )}
          </For>
        </ul>
        <Show when={since.list().length > 50}>
          <p class="muted">and {since.list().length - 50} more</p>
        </Show>
      </section>
    </Show>
  )
}

/** While a version is open: what differs between it and now, each restorable on its own. */
function Differences() {
  const board = useBoard()
  const changes = createMemo(() => (board.version ? differences(board, board.version.now) : []))
  const says = { deleted: 'deleted since', changed: 'changed since', added: 'added since' }
  return (
    <section class="differences" aria-labelledby="differences-title">
      <h3 id="differences-title" class="history-title">
        This version against now
      </h3>
      <Show
        when={changes().length > 0}
        fallback={<p class="muted">Nothing differs: the board is as it was then.</p>}
      >
        <VirtualList
          items={changes()}
          estimate={44}
          key={(c) => `${c.entityType}/${c.id}`}
          class="difference-list"
          label="Differences from now"
        >
          {(change) => (
            <div class="difference">
              <span class="difference-text">
                {kindNames[change.entityType]}{' '}
                <strong>
                  {(change.state === 'added'
                    ? board.version?.now.names.entity(change.entityType, change.id)
                    : board.names.entity(change.entityType, change.id)) ?? ''}
                </strong>{' '}
                <span class="muted">{says[change.state]}</span>
              </span>
              <Show when={change.state !== 'added'}>
                <RestoreButton
                  entityType={change.entityType}
                  id={change.id}
                  label={`Restore ${entityWords(board, change.entityType, change.id)}`}
                >
                  Restore
                </RestoreButton>
              </Show>
            </div>
          )}
        </VirtualList>
      </Show>
    </section>
  )
}
