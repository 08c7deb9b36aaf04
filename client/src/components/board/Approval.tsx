/**
 * Approving a media item must not collide ("who overwrote my approval?"): it takes the item's
 * lock, sets the approval, and releases; while someone else holds it, the button is disabled
 * and shows who, with "notify me when free". A refused lock is said in a toast.
 */
import { Show } from 'solid-js'
import Check from 'lucide-solid/icons/check'
import Lock from 'lucide-solid/icons/lock'
import { board as boardTypes, type MediaFields } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { showToast } from '../ui/toast.tsx'

type ApprovableMedia = MediaFields & { approvedBy?: string | null; approvedAt?: number | null }

export function Approval(props: { media: ApprovableMedia }) {
  const board = useBoard()
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
    board.conn.transact((doc) => {
      const item = boardTypes(doc).media.get(props.media.id) as unknown as
        { set(k: string, v: unknown): void } | undefined
      const approve = !props.media.approvedBy
      item?.set('approvedBy', approve ? board.me.id : null)
      item?.set('approvedAt', approve ? Date.now() : null)
    })
    await board.locks.release('media', props.media.id)
  }
  return (
    <div class="approval">
      <Show when={props.media.approvedBy} fallback={<span class="chip">Not approved</span>}>
        <span class="chip success">
          <Check size={14} aria-hidden="true" /> Approved
        </span>
      </Show>
      <Show when={!board.readOnly()}>
        <button
          type="button"
          class="button small"
          classList={{ primary: !props.media.approvedBy }}
          disabled={lockedByOther()}
          onClick={() => void toggle()}
        >
          {props.media.approvedBy ? 'Withdraw approval' : 'Approve'}
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
