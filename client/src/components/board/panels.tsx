/**
 * The right panel's tabs, as a registry: each entry names itself and renders its content.
 * A later panel (History, Search, Versions) is one more entry here, nothing else changes.
 */
import type { JSX } from 'solid-js'
import Activity from 'lucide-solid/icons/activity'
import MessageSquare from 'lucide-solid/icons/message-square'
import RotateCcwClock from 'lucide-solid/icons/rotate-ccw-clock'
import Search from 'lucide-solid/icons/search'
import Users from 'lucide-solid/icons/users'
import { Activity as ActivityFeed } from '../Activity.tsx'
import { HistoryPanel } from '../history/HistoryPanel.tsx'
import { SearchPanel } from '../search/SearchPanel.tsx'
import { Threads } from '../Threads.tsx'
import { PeoplePanel } from './PeoplePanel.tsx'
import type { ViewerState } from './viewer-state.ts'

export interface BoardPanel {
  id: string
  label: string
  icon: () => JSX.Element
  render: (state: ViewerState) => JSX.Element
}

export const boardPanels: BoardPanel[] = [
  {
    id: 'threads',
    label: 'Threads',
    icon: () => <MessageSquare size={16} aria-hidden="true" />,
    render: (state) => <Threads state={state} />,
  },
  {
    id: 'activity',
    label: 'Activity',
    icon: () => <Activity size={16} aria-hidden="true" />,
    render: () => <ActivityFeed />,
  },
  {
    id: 'people',
    label: 'People',
    icon: () => <Users size={16} aria-hidden="true" />,
    render: () => <PeoplePanel />,
  },
  {
    id: 'history',
    label: 'History',
    icon: () => <RotateCcwClock size={16} aria-hidden="true" />,
    render: () => <HistoryPanel />,
  },
  {
    id: 'search',
    label: 'Search',
    icon: () => <Search size={16} aria-hidden="true" />,
    render: () => <SearchPanel />,
  },
]
