import { render } from '@solidjs/testing-library'
import GripVertical from 'lucide-solid/icons/grip-vertical'
import { describe, expect, it } from 'vitest'
import { stampIcon } from './stamped-icon.ts'

const grip = stampIcon(GripVertical, 16)

describe('stamped icons', () => {
  it('are the SVG lucide-solid renders, each use a node of its own', () => {
    const { container } = render(() => (
      <div>
        <p class="stamped">
          {grip()}
          {grip()}
        </p>
        <p class="component">
          <GripVertical size={16} />
        </p>
      </div>
    ))
    const [a, b] = [...container.querySelectorAll('.stamped svg')]
    const real = container.querySelector('.component svg')
    expect(real?.outerHTML).toContain('lucide-grip-vertical')
    expect(real?.querySelectorAll('circle').length).toBe(6)
    expect(a?.outerHTML).toBe(real?.outerHTML)
    expect(b?.outerHTML).toBe(real?.outerHTML)
    expect(a).not.toBe(b)
  })
})
