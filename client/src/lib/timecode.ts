/**
 * Frames and SMPTE timecode for a video at `fps` frames a second. Browsers
 * are not frame-accurate on `currentTime`, so a time becomes a frame by flooring (never
 * rounding: float round-trips would step one frame, then two), a frame is sought at its middle
 * and stored at its middle, and the frame a player shows is read from the timestamp it presents
 * (rounded: presentation timestamps sit on frame starts, give or take a rounded millisecond).
 * Timecode is HH:MM:SS:FF; at 29.97 and 59.94 it is drop-frame, HH:MM:SS;FF.
 */

/** What a video without a known rate is taken to run at until playback shows its rate. */
export const FALLBACK_FPS = 30

/** The frame showing at `ms` into the video (0 is the first). */
export function frameAt(ms: number, fps: number): number {
  return Math.max(0, Math.floor((ms * fps) / 1000 + 1e-6))
}

/** The frame a presentation timestamp (seconds, as rVFC's `mediaTime`) belongs to. */
export function frameOfTimestamp(seconds: number, fps: number): number {
  return Math.max(0, Math.round(seconds * fps))
}

/** The middle of `frame` in milliseconds: where to seek, and the time stored for it. */
export function frameMiddleMs(frame: number, fps: number): number {
  return ((frame + 0.5) * 1000) / fps
}

/** The time stored for `frame`: its middle, to the millisecond (still inside the frame). */
export function storedTimeMs(frame: number, fps: number): number {
  return Math.round(frameMiddleMs(frame, fps))
}

/** How many whole frames `durationMs` holds (at least one). */
export function frameCount(durationMs: number, fps: number): number {
  return Math.max(1, Math.round((durationMs * fps) / 1000))
}

/** 29.97 and 59.94 (the NTSC rates) count drop-frame timecode. */
export function isDropFrame(fps: number): boolean {
  return Math.abs(fps - 30000 / 1001) < 0.005 || Math.abs(fps - 60000 / 1001) < 0.005
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `frame` as HH:MM:SS:FF (drop-frame HH:MM:SS;FF at 29.97 and 59.94). */
export function formatTimecode(frame: number, fps: number): string {
  const nominal = Math.max(1, Math.round(fps))
  let n = Math.max(0, Math.floor(frame))
  const drop = isDropFrame(fps)
  if (drop) {
    // Frame numbers 0 and 1 (0–3 at 59.94) are skipped at every minute but each tenth.
    const skipped = nominal === 60 ? 4 : 2
    const perTenMinutes = nominal * 600 - skipped * 9
    const perMinute = nominal * 60 - skipped
    const tens = Math.floor(n / perTenMinutes)
    const rest = n % perTenMinutes
    n +=
      skipped * 9 * tens + (rest > skipped ? skipped * Math.floor((rest - skipped) / perMinute) : 0)
  }
  const ff = n % nominal
  const seconds = Math.floor(n / nominal)
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}${drop ? ';' : ':'}${pad(ff)}`
}

/**
 * The frame a person typed: a timecode (HH:MM:SS:FF, MM:SS:FF; `;` or `.` also separate), a
 * frame number, or seconds with an `s` (`12.5s`). Null when it is none of these.
 */
export function parseTimecode(text: string, fps: number): number | null {
  const typed = text.trim()
  if (/^\d+$/.test(typed)) return Number(typed)
  const seconds = /^(\d+(?:\.\d+)?)\s*s$/i.exec(typed)
  if (seconds) return frameAt(Number(seconds[1]) * 1000, fps)
  const parts = typed.split(/[:;.]/)
  if (parts.length < 3 || parts.length > 4 || !parts.every((p) => /^\d{1,2}$/.test(p))) return null
  const [hh, mm, ss, ff] = (parts.length === 3 ? [0, ...parts] : parts).map(Number) as [
    number,
    number,
    number,
    number,
  ]
  const nominal = Math.max(1, Math.round(fps))
  if (mm > 59 || ss > 59 || ff >= nominal) return null
  const counted = (hh * 3600 + mm * 60 + ss) * nominal + ff
  if (!isDropFrame(fps)) return counted
  const skipped = nominal === 60 ? 4 : 2
  const minutes = hh * 60 + mm
  // A label that drop-frame skips (the first frames of most minutes) does not exist.
  if (ss === 0 && ff < skipped && minutes % 10 !== 0) return null
  return counted - skipped * (minutes - Math.floor(minutes / 10))
}

/** "25 fps", "29.97 fps", "23.976 fps". */
export function fpsLabel(fps: number): string {
  return `${Number(fps.toFixed(3))} fps`
}
