/**
 * Tools above the viewer: select, hand, pin, rectangle, ellipse, arrow, freehand (the current
 * one pressed and named), the colour (a Kobalte menu of the palette: the next mark's, and the
 * selected mark's when this person may change it), deleting the selected mark, and zoom: out,
 * the percentage, in, fit, 100 %. Each has a shortcut, registered for the `?` overlay.
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import { For, Show } from 'solid-js'
import ArrowUpRight from 'lucide-solid/icons/move-up-right'
import Circle from 'lucide-solid/icons/circle'
import Hand from 'lucide-solid/icons/hand'
import MapPin from 'lucide-solid/icons/map-pin'
import Maximize from 'lucide-solid/icons/maximize'
import MousePointer from 'lucide-solid/icons/mouse-pointer-2'
import PenLine from 'lucide-solid/icons/pen-line'
import Square from 'lucide-solid/icons/square'
import Trash from 'lucide-solid/icons/trash'
import ZoomIn from 'lucide-solid/icons/zoom-in'
import ZoomOut from 'lucide-solid/icons/zoom-out'
import type { JSX } from 'solid-js'
import { board as boardTypes } from '../../../../shared/schema/board.ts'
import { useBoard } from '../../lib/board-store.ts'
import { createShortcuts, letter, symbol } from '../../lib/shortcuts.ts'
import { IconButton } from '../ui/Tooltip.tsx'
import { deleteAnnotationWithUndo } from '../viewer/deletes.ts'
import { palette, type Tool, type ViewerState } from './viewer-state.ts'

const tools: Array<{
  id: Tool
  label: string
  key: string
  icon: () => JSX.Element
  edits: boolean
}> = [
  {
    id: 'select',
    label: 'Select and move',
    key: 'V',
    icon: () => <MousePointer size={18} />,
    edits: false,
  },
  { id: 'hand', label: 'Pan', key: 'H', icon: () => <Hand size={18} />, edits: false },
  { id: 'pin', label: 'Pin', key: 'P', icon: () => <MapPin size={18} />, edits: true },
  { id: 'rect', label: 'Rectangle', key: 'R', icon: () => <Square size={18} />, edits: true },
  { id: 'ellipse', label: 'Ellipse', key: 'O', icon: () => <Circle size={18} />, edits: true },
  { id: 'arrow', label: 'Arrow', key: 'A', icon: () => <ArrowUpRight size={18} />, edits: true },
  { id: 'path', label: 'Freehand', key: 'D', icon: () => <PenLine size={18} />, edits: true },
]

export function ViewerToolbar(props: { state: ViewerState }) {
  const board = useBoard()
  const s = props.state
  const available = () => tools.filter((t) => !t.edits || !board.readOnly())
  createShortcuts([
    ...tools.map((t) => ({
      keys: [t.key],
      description: `${t.label} tool`,
      group: 'Tools' as const,
      match: letter(t.key),
      run: () => (!t.edits || !board.readOnly()) && s.setTool(t.id),
    })),
    {
      keys: ['+'],
      description: 'Zoom in',
      group: 'Viewer',
      match: symbol('+', '='),
      run: () => s.zoomBy?.(1.25),
    },
    {
      keys: ['−'],
      description: 'Zoom out',
      group: 'Viewer',
      match: symbol('-', '_'),
      run: () => s.zoomBy?.(0.8),
    },
    {
      keys: ['0'],
      description: 'Fit to the viewer',
      group: 'Viewer',
      match: symbol('0'),
      run: () => s.requestFit('fit'),
    },
    {
      keys: ['1'],
      description: 'Actual size (100 %)',
      group: 'Viewer',
      match: symbol('1'),
      run: () => s.requestFit('actual'),
    },
  ])
  const currentTool = () => tools.find((t) => t.id === s.tool())
  /** The selected mark, when this person may change it (editors any, reviewers their own). */
  const selectedMark = () => {
    const mark = s.selected() ? board.annotations[s.selected() as string] : undefined
    return mark && !board.readOnly() && (board.canEdit() || mark.authorId === board.me.id)
      ? mark
      : null
  }
  const pickColor = (c: string) => {
    s.setColor(c)
    const mark = selectedMark()
    if (mark && mark.color !== c)
      board.conn.transact((doc) => boardTypes(doc).annotations.get(mark.id)?.set('color', c))
  }
  return (
    <div class="viewer-toolbar">
      <div class="toolbar-group" role="toolbar" aria-label="Annotation tools">
        <For each={available()}>
          {(t) => (
            <IconButton
              label={t.label}
              shortcut={t.key}
              pressed={s.tool() === t.id}
              onClick={() => s.setTool(t.id)}
              class="tool"
            >
              {t.icon()}
            </IconButton>
          )}
        </For>
        <Show when={!board.readOnly()}>
          <DropdownMenu>
            <DropdownMenu.Trigger
              class="icon-button tool color-trigger"
              aria-label={
                selectedMark() ? 'Colour of the selected annotation' : 'Annotation colour'
              }
            >
              <span class="swatch" style={{ background: selectedMark()?.color ?? s.color() }} />
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content class="menu swatches">
                <DropdownMenu.RadioGroup
                  value={selectedMark()?.color ?? s.color()}
                  onChange={pickColor}
                >
                  <For each={[board.me.color, ...palette.filter((c) => c !== board.me.color)]}>
                    {(c) => (
                      <DropdownMenu.RadioItem
                        value={c}
                        closeOnSelect
                        class="swatch-item"
                        aria-label={`Colour ${c}`}
                      >
                        <span class="swatch" style={{ background: c }} />
                      </DropdownMenu.RadioItem>
                    )}
                  </For>
                </DropdownMenu.RadioGroup>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu>
        </Show>
        <Show when={selectedMark()}>
          {(mark) => (
            <IconButton
              label="Delete the selected annotation"
              shortcut="Delete"
              onClick={() => {
                // Read before the selection clears: then this button is gone, and so is `mark`.
                const id = mark().id
                s.setSelected(null)
                deleteAnnotationWithUndo(board, id)
              }}
              class="tool danger"
            >
              <Trash size={18} />
            </IconButton>
          )}
        </Show>
        <span class="tool-name" aria-live="polite">
          {currentTool()?.label}
        </span>
      </div>
      <div class="toolbar-group" role="toolbar" aria-label="Zoom">
        <IconButton label="Zoom out" shortcut="−" onClick={() => s.zoomBy?.(0.8)}>
          <ZoomOut size={18} />
        </IconButton>
        <span class="zoom-level" data-testid="zoom-level">
          {s.shownZoom()} %
        </span>
        <IconButton label="Zoom in" shortcut="+" onClick={() => s.zoomBy?.(1.25)}>
          <ZoomIn size={18} />
        </IconButton>
        <IconButton label="Fit" shortcut="0" onClick={() => s.requestFit('fit')}>
          <Maximize size={18} />
        </IconButton>
        <button
          type="button"
          class="button small ghost"
          onClick={() => s.requestFit('actual')}
          aria-keyshortcuts="1"
        >
          100 %
        </button>
      </div>
    </div>
  )
}
