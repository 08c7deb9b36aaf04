/**
 * Verdicts: everyone but a viewer approves or requests changes on the
 * newest version, for themselves (their own `reviews` entry); the bar shows the version's status
 * — derived from the verdicts, never stored — and everyone's verdict, with last round's
 * greyed beside. A new version starts at "not reviewed".
 *
 * No lock: each person writes only their own entry, so verdicts cannot collide, and reviewers
 * cannot take locks. A lock someone holds on the item (an editor uploading a new version)
 * still covers the entry — the server would undo a verdict given meanwhile — so the buttons
 * wait for it.
 */
import { For, Show } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import CircleDashed from 'lucide-solid/icons/circle-dashed'
import Lock from 'lucide-solid/icons/lock'
import MessageSquareWarning from 'lucide-solid/icons/message-square-warning'
import { clearVerdict, setVerdict, type Verdict } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { reviewRound, reviewsOf, statusWords, type ReviewedMedia } from '../../lib/review.ts'
import { exactTime, timeAgo } from '../../lib/time.ts'
import type { ViewerState } from '../board/viewer-state.ts'
import './review.css'

const verdictWords: Record<Verdict, string> = {
  approved: 'approved',
  changes_requested: 'requested changes',
}

export function VerdictBar(props: { media: ReviewedMedia; state: ViewerState }) {
  const board = useBoard()
  const version = () => props.state.shownVersion()
  const newest = () => version() === props.state.newestVersion()
  const round = () => reviewRound(reviewsOf(props.media), version())
  const mine = () => round().current.find((r) => r.userId === board.me.id)?.verdict
  const holder = () => board.locks.holderOf('media', props.media.id)
  const lockedByOther = () => !!holder() && holder()?.id !== board.me.id
  const give = (verdict: Verdict) =>
    board.conn.transact((doc) =>
      mine() === verdict
        ? clearVerdict(doc, props.media.id, board.me.id)
        : setVerdict(doc, props.media.id, board.me.id, verdict, { version: version() }),
    )
  const colorOf = (userId: string) =>
    board.members().find((m) => m.id === userId)?.color ??
    (userId === board.me.id ? board.me.color : 'var(--border-strong)')
  return (
    <section class="verdicts" aria-label={`Review of version ${version()}`} data-testid="verdicts">
      <span
        class={`chip status-${round().status}`}
        data-testid="review-status"
        data-status={round().status}
      >
        {round().status === 'approved' ? (
          <Check size={14} aria-hidden="true" />
        ) : round().status === 'changes_requested' ? (
          <MessageSquareWarning size={14} aria-hidden="true" />
        ) : (
          <CircleDashed size={14} aria-hidden="true" />
        )}
        {statusWords[round().status]}
        <Show when={props.state.versions().length > 1}>
          <span class="muted-inline">· v{version()}</span>
        </Show>
      </span>
      <ul class="verdict-list" aria-label="Verdicts">
        <For each={round().current}>
          {(r) => (
            <li
              class={`verdict verdict-${r.verdict}`}
              title={`${board.nameOf(r.userId)} ${verdictWords[r.verdict]} — ${exactTime(r.at)}`}
            >
              <span
                class="avatar tiny"
                style={{ background: colorOf(r.userId) }}
                aria-hidden="true"
              >
                {board.nameOf(r.userId).slice(0, 1).toUpperCase()}
              </span>
              <span>
                {board.nameOf(r.userId)} {verdictWords[r.verdict]}{' '}
                <time class="muted" datetime={new Date(r.at).toISOString()}>
                  {timeAgo(r.at)}
                </time>
              </span>
            </li>
          )}
        </For>
        <For each={round().earlier}>
          {(r) => (
            <li class="verdict earlier" title={exactTime(r.at)}>
              <span
                class="avatar tiny"
                style={{ background: colorOf(r.userId) }}
                aria-hidden="true"
              >
                {board.nameOf(r.userId).slice(0, 1).toUpperCase()}
              </span>
              <span>
                {board.nameOf(r.userId)} {verdictWords[r.verdict]} on v{r.version}
              </span>
            </li>
          )}
        </For>
      </ul>
      <Show when={!board.readOnly() && newest()}>
        <div class="verdict-actions" role="group" aria-label="Your verdict">
          <button
            type="button"
            class="button small"
            classList={{ success: mine() === 'approved' }}
            aria-pressed={mine() === 'approved'}
            disabled={lockedByOther()}
            onClick={() => give('approved')}
          >
            <Check size={14} aria-hidden="true" /> Approve
          </button>
          <button
            type="button"
            class="button small"
            classList={{ warning: mine() === 'changes_requested' }}
            aria-pressed={mine() === 'changes_requested'}
            disabled={lockedByOther()}
            onClick={() => give('changes_requested')}
          >
            <MessageSquareWarning size={14} aria-hidden="true" /> Request changes
          </button>
        </div>
      </Show>
      <Show when={!newest()}>
        <span class="muted small-text">Verdicts go on the newest version.</span>
      </Show>
      <Show when={lockedByOther()}>
        <span class="lock-badge">
          <Lock size={14} aria-hidden="true" /> {holder()?.name} is changing this item
          <Show when={board.canEdit()}>
            <button
              type="button"
              class="button ghost small"
              onClick={() => void board.locks.notifyWhenFree('media', props.media.id)}
            >
              Notify me when free
            </button>
          </Show>
        </span>
      </Show>
    </section>
  )
}
