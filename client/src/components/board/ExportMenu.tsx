/**
 * The board's exports (docs/product.md, "Export"): the HTML report (media with their marks,
 * verdicts, threads, tasks; prints to PDF) and the tasks as CSV. A browser download cannot send
 * headers, so the link carries the access token as `?token=`, made at the moment of the click.
 */
import { DropdownMenu } from '@kobalte/core/dropdown-menu'
import Download from 'lucide-solid/icons/download'
import FileSpreadsheet from 'lucide-solid/icons/file-spreadsheet'
import FileText from 'lucide-solid/icons/file-text'
import { mediaUrl } from '../../lib/api.ts'

function download(path: string) {
  const link = document.createElement('a')
  link.href = mediaUrl(path)
  link.download = ''
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
}

export function ExportMenu(props: { boardId: string }) {
  const base = () => `/api/boards/${encodeURIComponent(props.boardId)}`
  return (
    <DropdownMenu>
      <DropdownMenu.Trigger class="icon-button" aria-label="Export">
        <Download size={18} />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content class="menu">
          <DropdownMenu.Item class="menu-item" onSelect={() => download(`${base()}/report`)}>
            <FileText size={16} aria-hidden="true" /> Download report
          </DropdownMenu.Item>
          <DropdownMenu.Item class="menu-item" onSelect={() => download(`${base()}/tasks.csv`)}>
            <FileSpreadsheet size={16} aria-hidden="true" /> Tasks as CSV
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu>
  )
}
