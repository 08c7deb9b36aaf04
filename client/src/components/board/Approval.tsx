/**
 * Approving a media item must not collide ("who overwrote my approval?"): it takes the item's
 * lock, sets the approval, and releases; while someone else holds it, the button is disabled
 * and shows who, with "notify me when free". A refused lock is said in a toast.
 */
import { Show } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import Lock from 'lucide-solid/icons/lock'
import {
  clearVerdict,
  LegacyApproval,
  setVerdict,
  type MediaFields,
  type MediaJson,
} from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { showToast } from '../ui/toast.tsx'

/** The item as the store renders it: `reviews` plain, and an early client's approval key. */
type ApprovableMedia = MediaFields & { [LegacyApproval.by]?: string | null }

export function Approval(props: { media: ApprovableMedia }) {
  const board = useBoard()
  // Verdicts live in `reviews`, one per user; an early client's approvedBy still counts.
  const reviews = () => (props.media as unknown as MediaJson).reviews ?? {}
  const approvedBy = (id: string) =>
    reviews()[id]?.verdict === 'approved' || props.media[LegacyApproval.by] === id
  const approved = () =>
    Object.values(reviews()).some((r) => r.verdict === 'approved') ||
    !!props.media[LegacyApproval.by]
  const holder = () => board.locks.holderOf('media', props.media.id)
  const lockedByOther = () => !!holder() && holder()?.id !== board.me.id
  const toggle = async () => {
    if (!(await board.locks.take('media', props.media.id))) {
      showToast(
        'error',
        'Someone else is deciding',
        `${holder()?.name ?? 'Someone'} holds this item right now.`,
      )
      return
    }
    const withdraw = approvedBy(board.me.id)
    board.conn.transact((doc) =>
      withdraw
        ? clearVerdict(doc, props.media.id, board.me.id)
        : setVerdict(doc, props.media.id, board.me.id, 'approved'),
    )
    await board.locks.release('media', props.media.id)
  }
  return (
    <div class="approval">
      <Show when={approved()} fallback={<span class="chip">Not approved</span>}>
        <span class="chip success">
          <Check size={14} aria-hidden="true" /> Approved
        </span>
      </Show>
      <Show when={!board.readOnly()}>
        <button
          type="button"
          class="button small"
          classList={{ primary: !approvedBy(board.me.id) }}
          disabled={lockedByOther()}
          onClick={() => void toggle()}
        >
          {approvedBy(board.me.id) ? 'Withdraw approval' : 'Approve'}
        </button>
      </Show>
      <Show when={lockedByOther()}>
        <span class="lock-badge">
          <Lock size={14} aria-hidden="true" /> Locked by {holder()?.name}
          <button
            type="button"
            class="button ghost small"
            onClick={() => void board.locks.notifyWhenFree('media', props.media.id)}
          >
            Notify me when free
          </button>
        </span>
      </Show>
    </div>
  )
}
