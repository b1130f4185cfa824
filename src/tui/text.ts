/**
 * Small pure helpers for the review screen: every string that came from a report or a log goes through
 * `safe()` (terminal escapes and controls stripped, folded to one line) before it reaches ink.
 */
import type {AttributionStatus} from '../model.js'
import {oneLineSafe, stripControls} from '../io/sanitize.js'

/** Untrusted text for one screen row: controls stripped, line breaks and tabs folded to spaces. */
export function safe(text: string | null | undefined): string {
  if (text === null || text === undefined) return ''
  return oneLineSafe(text.replace(/\t/g, ' '))
}

/** Untrusted multi-line text (a draft preview): controls stripped per line, tabs expanded. */
export function safeLines(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => stripControls(l.replace(/\t/g, '    ')))
}

/** Hard-wraps one line into chunks of at most `width` characters (at least 1 chunk). */
export function hardWrap(text: string, width: number): string[] {
  const w = Math.max(8, width)
  if (text.length <= w) return [text]
  const out: string[] = []
  for (let i = 0; i < text.length; i += w) out.push(text.slice(i, i + w))
  return out
}

/** Cuts a string to `width` characters, marking the cut with "…". */
export function clip(text: string, width: number): string {
  if (width <= 0) return ''
  if (text.length <= width) return text
  if (width === 1) return '…'
  return `${text.slice(0, width - 1)}…`
}

export function pad(text: string, width: number): string {
  const c = clip(text, width)
  return c + ' '.repeat(Math.max(0, width - c.length))
}

/** "2026-03-14T18:22:05.000Z" → "2026-03-14 18:22:05Z" (compact, still explicit about UTC). */
export function shortIso(iso: string | null | undefined): string {
  if (!iso) return '?'
  return safe(iso).replace('T', ' ').replace(/\.000(?=Z|[+-]\d\d:?\d\d$)/, '')
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`
}

/** Seconds → "4s", "2m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

/** Signed seconds for clock offsets: "+3 s", "−75 s (1m15s)". */
export function formatOffset(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'unknown'
  const sign = seconds > 0 ? '+' : seconds < 0 ? '-' : '±'
  const abs = Math.abs(Math.round(seconds))
  return abs >= 60 ? `${sign}${abs} s (${formatDuration(abs)})` : `${sign}${abs} s`
}

export function percent(confidence: number): string {
  if (!Number.isFinite(confidence)) return '?%'
  return `${Math.round(Math.max(0, Math.min(1, confidence)) * 100)}%`
}

export const STATUS_COLOR: Record<AttributionStatus, string> = {
  attributed: 'green',
  ambiguous: 'yellow',
  'not-found': 'red',
}

/** Textual status marks: the status never depends on colour alone (NO_COLOR, colour-blind operators). */
export const STATUS_LABEL: Record<AttributionStatus, string> = {
  attributed: 'ATTRIBUTED',
  ambiguous: 'AMBIGUOUS',
  'not-found': 'NOT FOUND',
}

export const STATUS_MARK: Record<AttributionStatus, string> = {
  attributed: '✔',
  ambiguous: '?',
  'not-found': '✘',
}

/** "203.0.113.7:51234" / "[2001:db8::1]:443" / "203.0.113.7" / "?" */
export function hostPort(ip: string | null | undefined, port: number | null | undefined): string {
  if (!ip) return port === null || port === undefined ? '?' : `?:${port}`
  const host = ip.includes(':') ? `[${safe(ip)}]` : safe(ip)
  return port === null || port === undefined ? safe(ip) : `${host}:${port}`
}

/** Word-wraps one line at `width` (long words are cut); the first row is shorter by `firstIndent`. */
export function wrapWords(text: string, width: number, firstIndent = 0): string[] {
  const w = Math.max(8, width)
  const out: string[] = []
  let line = ''
  let limit = Math.max(4, w - firstIndent)
  for (let word of text.split(/ +/)) {
    if (!word) continue
    while (word.length > limit - (line ? line.length + 1 : 0)) {
      if (line) {
        out.push(line)
        line = ''
      } else {
        out.push(word.slice(0, limit))
        word = word.slice(limit)
      }
      limit = w
    }
    if (word) line = line ? `${line} ${word}` : word
  }
  if (line || out.length === 0) out.push(line)
  return out
}

/** Wraps a line of prose at word boundaries, keeping its indentation on the continuation rows. */
export function wrapLine(text: string, width: number): string[] {
  const indent = /^ */.exec(text)![0].length
  const rest = text.slice(indent)
  if (!rest) return ['']
  const ind = indent < width / 2 ? ' '.repeat(indent) : ''
  return wrapWords(rest, width - ind.length).map((c) => ind + c)
}
