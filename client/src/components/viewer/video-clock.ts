/**
 * The frame a video shows, kept current during playback and after every seek.
 * `requestVideoFrameCallback` names each frame as it is presented (its `mediaTime`);
 * it is not promised after a seek, so `seeked` and `pause` also read `currentTime`. Browsers
 * without it poll `currentTime` once per animation frame while playing. For a file that did not
 * say its frame rate, the gaps between presented frames measure it.
 */
import { snapFps } from '../../../../shared/schema/board.ts'
import { frameAt, frameCount, frameOfTimestamp } from '../../lib/timecode.ts'

export interface ClockTarget {
  fps: () => number
  /** The frame shown and its time (ms). */
  onFrame: (frame: number, ms: number) => void
  onPlaying: (playing: boolean) => void
  /** A frame rate measured from playback (only asked for when the file gave none). */
  onMeasuredFps?: ((fps: number) => void) | undefined
}

/** Watches `video`; answers a function that stops watching. */
export function watchVideoClock(video: HTMLVideoElement, target: ClockTarget): () => void {
  let stopped = false
  let callback = 0
  let poll = 0
  const gaps: number[] = []
  let last: { frames: number; time: number } | null = null
  // An ended video's time is its duration, the end of its last frame: that frame is shown.
  const lastFrame = () =>
    Number.isFinite(video.duration) && video.duration > 0
      ? frameCount(video.duration * 1000, target.fps()) - 1
      : Infinity
  const fromCurrentTime = () => {
    const ms = video.currentTime * 1000
    target.onFrame(Math.min(frameAt(ms, target.fps()), lastFrame()), ms)
  }
  const presented = (_now: number, meta: VideoFrameCallbackMetadata) => {
    if (stopped) return
    target.onFrame(
      Math.min(frameOfTimestamp(meta.mediaTime, target.fps()), lastFrame()),
      meta.mediaTime * 1000,
    )
    if (target.onMeasuredFps && !video.paused && video.playbackRate === 1) {
      if (last && meta.presentedFrames === last.frames + 1 && meta.mediaTime > last.time)
        gaps.push(meta.mediaTime - last.time)
      last = { frames: meta.presentedFrames, time: meta.mediaTime }
      if (gaps.length === 24) {
        const median = [...gaps].sort((a, b) => a - b)[12] as number
        const fps = snapFps(1 / median)
        if (fps) target.onMeasuredFps(fps)
        gaps.length = 0
      }
    }
    callback = video.requestVideoFrameCallback(presented)
  }
  const hasCallback = 'requestVideoFrameCallback' in HTMLVideoElement.prototype
  if (hasCallback) callback = video.requestVideoFrameCallback(presented)
  const pollWhilePlaying = () => {
    if (stopped || video.paused) return
    fromCurrentTime()
    poll = requestAnimationFrame(pollWhilePlaying)
  }
  const onPlay = () => {
    target.onPlaying(true)
    last = null
    if (!hasCallback) poll = requestAnimationFrame(pollWhilePlaying)
  }
  const onPause = () => {
    target.onPlaying(false)
    fromCurrentTime()
  }
  video.addEventListener('play', onPlay)
  video.addEventListener('pause', onPause)
  video.addEventListener('ended', onPause)
  video.addEventListener('seeked', fromCurrentTime)
  video.addEventListener('loadedmetadata', fromCurrentTime)
  return () => {
    stopped = true
    if (hasCallback) video.cancelVideoFrameCallback(callback)
    cancelAnimationFrame(poll)
    video.removeEventListener('play', onPlay)
    video.removeEventListener('pause', onPause)
    video.removeEventListener('ended', onPause)
    video.removeEventListener('seeked', fromCurrentTime)
    video.removeEventListener('loadedmetadata', fromCurrentTime)
  }
}

/** Seeks to the middle of `frame`, where no rounding can show its neighbour. */
export function seekToFrame(video: HTMLVideoElement, frame: number, fps: number): void {
  const duration = Number.isFinite(video.duration) ? video.duration : Infinity
  video.currentTime = Math.min(Math.max(0, (frame + 0.5) / fps), Math.max(0, duration - 0.001))
}

/** What the transport drives: one video, or the two of a comparison with one playhead. */
export interface Player {
  play(): void
  pause(): void
  paused(): boolean
  /**
   * The frame the player is at or seeking to: a seek sets the position at once, before its frame
   * is shown, so keys pressed faster than seeks complete step from where the last one goes.
   */
  frame(): number
  /** Shows `frame` (of the first video; the others go to the same time). */
  seekFrame(frame: number): void
  setRate(rate: number): void
}

/**
 * A player over `videos`, the first one the master: every command goes to all, at the master's
 * time (two versions may not share a frame rate, a time they do).
 */
export function makePlayer(videos: () => HTMLVideoElement[], fps: () => number): Player {
  return {
    play() {
      for (const video of videos()) void video.play().catch(() => {})
    },
    pause() {
      for (const video of videos()) video.pause()
    },
    paused: () => videos()[0]?.paused ?? true,
    frame: () => {
      const master = videos()[0]
      if (!master) return 0
      const frame = frameAt(master.currentTime * 1000, fps())
      return Number.isFinite(master.duration) && master.duration > 0
        ? Math.min(frame, frameCount(master.duration * 1000, fps()) - 1)
        : frame
    },
    seekFrame(frame) {
      const [master, ...followers] = videos()
      if (!master) return
      seekToFrame(master, frame, fps())
      for (const video of followers) video.currentTime = master.currentTime
    },
    setRate(rate) {
      for (const video of videos()) video.playbackRate = rate
    },
  }
}

/**
 * Keeps `follower` on `master`'s clock: re-seeked whenever it drifts more than a frame while
 * playing (checked on each frame the master presents), and exactly on every pause and seek.
 */
export function followClock(
  master: HTMLVideoElement,
  follower: HTMLVideoElement,
  fps: () => number,
): () => void {
  let stopped = false
  let callback = 0
  const align = () => {
    if (Math.abs(follower.currentTime - master.currentTime) > 0.0005)
      follower.currentTime = master.currentTime
  }
  const check = () => {
    if (stopped) return
    if (!master.paused && Math.abs(follower.currentTime - master.currentTime) > 1.5 / fps())
      follower.currentTime = master.currentTime
    callback = master.requestVideoFrameCallback(check)
  }
  const hasCallback = 'requestVideoFrameCallback' in HTMLVideoElement.prototype
  if (hasCallback) callback = master.requestVideoFrameCallback(check)
  const timer = hasCallback ? 0 : window.setInterval(check, 250)
  master.addEventListener('pause', align)
  master.addEventListener('seeked', align)
  return () => {
    stopped = true
    if (hasCallback) master.cancelVideoFrameCallback(callback)
    clearInterval(timer)
    master.removeEventListener('pause', align)
    master.removeEventListener('seeked', align)
  }
}
