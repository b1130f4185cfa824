/**
 * Turns the engine's Progress callbacks into what the live view shows: per phase, how far, how fast, how long.
 * Pure (the caller passes the clock) so rate and ETA are testable without timers.
 */
import type {Phase, Progress} from '../correlate/options.js'

/** A phase as the live view shows it: the engine's last Progress of that phase, with rate and ETA added. */
export interface PhaseView extends Progress {
  /** ms since the phase started */
  elapsedMs: number
  /** bytes per second over the phase so far, null until measurable */
  bytesPerSecond: number | null
  linesPerSecond: number | null
  /** seconds left at the current rate, null when unknown */
  etaSeconds: number | null
  /** 0..1 of bytes, null when the total is unknown */
  fraction: number | null
  finished: boolean
}

export interface ProgressState {
  startedAt: number
  current: Phase | null
  phases: Partial<Record<Phase, {first: Progress; last: Progress; startedAt: number; updatedAt: number; finished: boolean}>>
}

export const PHASE_ORDER: Phase[] = ['report', 'nat', 'leases', 'correlate', 'done']

export const PHASE_TITLE: Record<Phase, string> = {
  report: 'Reading the report',
  nat: 'Reading NAT logs',
  leases: 'Reading lease sources',
  correlate: 'Correlating',
  done: 'Done',
}

export function initialProgress(now: number): ProgressState {
  return {startedAt: now, current: null, phases: {}}
}

/** Records one progress event at time `now` (ms). Entering a phase finishes the ones before it. */
export function advance(state: ProgressState, p: Progress, now: number): ProgressState {
  const phases = {...state.phases}
  const idx = PHASE_ORDER.indexOf(p.phase)
  for (const [i, ph] of PHASE_ORDER.entries()) {
    const entry = phases[ph]
    if (i < idx && entry && !entry.finished) phases[ph] = {...entry, finished: true}
  }
  const prev = phases[p.phase]
  phases[p.phase] = prev
    ? {...prev, last: p, updatedAt: now}
    : {first: p, last: p, startedAt: now, updatedAt: now, finished: p.phase === 'done'}
  return {...state, current: p.phase, phases}
}

/** What to show for one phase at time `now`. */
export function viewPhase(state: ProgressState, phase: Phase, now: number): PhaseView | null {
  const e = state.phases[phase]
  if (!e) return null
  const p = e.last
  const end = e.finished ? e.updatedAt : now
  const elapsedMs = Math.max(0, end - e.startedAt)
  const secs = elapsedMs / 1000
  const bytes = p.bytesRead - e.first.bytesRead
  const lines = p.lines - e.first.lines
  const bytesPerSecond = secs >= 0.25 && bytes > 0 ? bytes / secs : null
  const linesPerSecond = secs >= 0.25 && lines > 0 ? lines / secs : null
  const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesRead / p.bytesTotal) : null
  const left = Math.max(0, p.bytesTotal - p.bytesRead)
  const etaSeconds = e.finished ? 0 : bytesPerSecond && p.bytesTotal > 0 ? left / bytesPerSecond : null
  return {
    phase,
    file: p.file,
    filesDone: p.filesDone,
    filesTotal: p.filesTotal,
    bytesRead: p.bytesRead,
    bytesTotal: p.bytesTotal,
    lines: p.lines,
    matched: p.matched,
    elapsedMs,
    bytesPerSecond,
    linesPerSecond,
    etaSeconds,
    fraction,
    finished: e.finished,
  }
}

/** "[#########.........]" of `width` cells (ASCII so it reads the same without colour or Unicode). */
export function bar(fraction: number | null, width: number): string {
  const w = Math.max(4, width)
  if (fraction === null) return `[${'?'.repeat(w - 2)}]`
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * (w - 2))
  return `[${'#'.repeat(full)}${'.'.repeat(w - 2 - full)}]`
}
