/**
 * A task card's content: title, priority, assignee, due day, the start of its description,
 * and a mark when others added or changed it since this person's last visit. Shown from a past
 * version, it offers to restore that task as it was there.
 */
import { Show } from 'solid-js'
import History from 'lucide-solid/icons/rotate-ccw-clock'
import type { TaskJson } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { RestoreButton } from '../history/RestoreButton.tsx'
import { VisitBadge } from '../history/VisitBadge.tsx'
import { dueLabel, dueWhen } from './due.ts'

export function TaskCard(props: { task: TaskJson }) {
  const board = useBoard()
  const assignee = () => board.members().find((m) => m.id === props.task.assigneeId)
  const due = () => dueWhen(props.task.dueAt)
  return (
    <>
      <div class="task-head">
        <h4 class="task-title">{props.task.title}</h4>
        <VisitBadge entityType="task" id={props.task.id} />
      </div>
      <p class="task-meta">
        <span class={`chip priority ${props.task.priority}`}>{props.task.priority}</span>
        <Show when={assignee()}>
          {(a) => (
            <span class="assignee">
              <span class="avatar tiny" style={{ background: a().color }} aria-hidden="true">
                {a().name.slice(0, 1).toUpperCase()}
              </span>
              {a().name}
            </span>
          )}
        </Show>
        <Show when={props.task.dueAt}>
          {(dueAt) => (
            <span
              class="due"
              classList={{ overdue: due() === 'overdue' && props.task.status !== 'done' }}
              data-testid="due"
            >
              due {dueLabel(dueAt())}
            </span>
          )}
        </Show>
      </p>
      <Show when={props.task.description}>
        <p class="task-description">{props.task.description}</p>
      </Show>
      <Show when={board.version}>
        <RestoreButton
          entityType="task"
          id={props.task.id}
          label={`Restore “${props.task.title}” from this version`}
        >
          <History size={14} aria-hidden="true" /> Restore this task
        </RestoreButton>
      </Show>
    </>
  )
}
