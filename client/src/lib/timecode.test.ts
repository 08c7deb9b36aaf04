import { describe, expect, it } from 'vitest'
import {
  formatTimecode,
  frameAt,
  frameMiddleMs,
  frameOfTimestamp,
  parseTimecode,
  storedTimeMs,
} from './timecode.ts'

const NTSC = 30000 / 1001

describe('frames and times', () => {
  it('floors a time to its frame and finds every frame again from its stored time', () => {
    expect(frameAt(0, 25)).toBe(0)
    expect(frameAt(39.9, 25)).toBe(0)
    expect(frameAt(40, 25)).toBe(1)
    // 1/3 s at 30 fps is frame 10 even though 10 / 30 * 30 is 9.999… in floats.
    expect(frameAt((10 / 30) * 1000, 30)).toBe(10)
    for (const fps of [24000 / 1001, 24, 25, NTSC, 30, 60])
      for (let frame = 0; frame < 20_000; frame += 7) {
        expect(frameAt(storedTimeMs(frame, fps), fps)).toBe(frame)
        expect(frameAt(frameMiddleMs(frame, fps), fps)).toBe(frame)
      }
  })

  it('reads a presented frame from its timestamp, whole milliseconds included', () => {
    expect(frameOfTimestamp(0.033, 30)).toBe(1)
    expect(frameOfTimestamp(0.067, 30)).toBe(2)
    expect(frameOfTimestamp(0.12, 25)).toBe(3)
  })
})

describe('timecode', () => {
  it('counts HH:MM:SS:FF at the nominal rate', () => {
    expect(formatTimecode(0, 25)).toBe('00:00:00:00')
    expect(formatTimecode(24, 25)).toBe('00:00:00:24')
    expect(formatTimecode(25, 25)).toBe('00:00:01:00')
    expect(formatTimecode(25 * 3661 + 7, 25)).toBe('01:01:01:07')
    expect(formatTimecode(24, 24000 / 1001)).toBe('00:00:01:00')
  })

  it('drops frame labels at 29.97 (;), every minute but each tenth', () => {
    expect(formatTimecode(1799, NTSC)).toBe('00:00:59;29')
    expect(formatTimecode(1800, NTSC)).toBe('00:01:00;02')
    expect(formatTimecode(17982, NTSC)).toBe('00:10:00;00')
    expect(formatTimecode(17981, NTSC)).toBe('00:09:59;29')
    expect(formatTimecode(3600, 60000 / 1001)).toBe('00:01:00;04')
    for (let frame = 0; frame < 40_000; frame += 13)
      expect(parseTimecode(formatTimecode(frame, NTSC), NTSC)).toBe(frame)
  })

  it('reads what a person types, and refuses what is not a frame', () => {
    expect(parseTimecode('00:00:01:05', 25)).toBe(30)
    expect(parseTimecode('01:05:10', 25)).toBe(25 * 65 + 10)
    expect(parseTimecode(' 42 ', 25)).toBe(42)
    expect(parseTimecode('1.5s', 25)).toBe(37)
    expect(parseTimecode('00:01:00;02', NTSC)).toBe(1800)
    expect(parseTimecode('00:01:00;00', NTSC)).toBeNull()
    expect(parseTimecode('00:00:01:25', 25)).toBeNull()
    expect(parseTimecode('00:61:00:00', 25)).toBeNull()
    expect(parseTimecode('soon', 25)).toBeNull()
  })
})
