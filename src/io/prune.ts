/**
 * Time pruning: which log files cannot hold a record of the reported instants, decided without reading them
 * whole.
 *
 * - Every file's head (first 64 KiB, decompressed as far as it goes) gives its first records' times.
 * - A plain file's tail (last 64 KiB) gives its end. Gzip has no cheap tail: in a rotation set (oldest first,
 *   as expandInputs orders them) a file ends where the next one starts, so its end is bounded by the next
 *   file's head. The newest compressed file of a set is bounded by its modification time.
 * - A file is skipped only when [first − margin, end + margin] misses every incident window (reported
 *   instants ± skew). The margin stands for records dated before their line (a session written at its end
 *   with its start) and translations whose start and end records sit in different files: a translation held
 *   longer than the margin whose records all lie in skipped files is missed (`--full-scan` reads everything).
 * - Anything unsure keeps the file: no parseable head, a set out of order, bzip2/xz/zstd (no cheap head here).
 */
import {closeSync, openSync, readSync} from 'node:fs'
import {basename, dirname} from 'node:path'
import {constants, gunzipSync} from 'node:zlib'
import type {SourceFile, ZoneDecision} from '../model.js'
import {detectFormat, type LineFormat, type ParseContext} from './format.js'
import {rotationKey} from './files.js'
import {boundedYear} from './source.js'
import {TimeContext, isoUtc, systemZone, type YearPolicy} from './time.js'

export const DEFAULT_PRUNE_MARGIN_SECONDS = 86_400
const HEAD_BYTES = 16 * 1024
const TAIL_BYTES = 16 * 1024
const HEAD_LINES = 200
/** lines of a head or tail whose times are parsed (after the first record) */
const TIMED_LINES = 40

export interface TimeWindow {
  from: number
  to: number
}

export interface PruneOptions {
  zone?: string
  year: YearPolicy
  format?: string
  /** incident windows on the log clock (reported instants ± skew), ms UTC */
  windows: TimeWindow[]
  /** extra tolerance on both sides of a file's span, ms */
  marginMs: number
}

export interface PruneDecision {
  file: SourceFile
  /** true: the file cannot hold a record of any window; `reason` says why */
  skip: boolean
  reason: string | null
  /** name of the format the head was read with (null: none recognised) */
  format: string | null
  zone: ZoneDecision
  /** time of the first record of the head (as a full read's span would give it), ms UTC */
  first: number | null
  /** latest instant the file can hold (tail, next file's head, or mtime), ms UTC; null when unknown */
  lastBound: number | null
  /** how lastBound was found */
  lastHow: 'tail' | 'next-file' | 'mtime' | null
}

interface Head {
  format: string | null
  zone: ZoneDecision
  first: number | null
  min: number | null
  max: number | null
  tailMax: number | null
}

// synchronous on purpose: 16 KiB from each of hundreds of files; the promise API's open/read/close cost
// ~0.5 ms a file here, the synchronous calls a few µs
function readBytes(path: string, pos: number, n: number): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(n)
    const bytesRead = readSync(fd, buf, 0, n, pos)
    return buf.subarray(0, bytesRead)
  } finally {
    closeSync(fd)
  }
}

/** Complete lines of a decompressed head (the last, possibly cut, line dropped unless the file ended). */
function linesOf(buf: Buffer, whole: boolean, fromStart: boolean): string[] {
  let text = buf.toString('utf8', 0, fromStart ? Math.min(buf.length, 256 * 1024) : buf.length)
  if (!fromStart) text = text.slice(text.indexOf('\n') + 1)
  const lines = text.split('\n', fromStart ? HEAD_LINES + 1 : undefined)
  if (!whole || lines.length > HEAD_LINES) lines.pop()
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.length > 0)
}

async function headLines(file: SourceFile): Promise<{head: string[]; tail: string[] | null} | null> {
  if (file.compressed !== null && file.compressed !== 'gzip') return null
  const raw = readBytes(file.path, 0, HEAD_BYTES)
  if (file.compressed === 'gzip') {
    let out: Buffer
    try {
      out = gunzipSync(raw, {finishFlush: constants.Z_SYNC_FLUSH})
    } catch {
      return null
    }
    return {head: linesOf(out, false, true).slice(0, HEAD_LINES), tail: null}
  }
  const whole = file.size <= HEAD_BYTES
  const head = linesOf(raw, whole, true).slice(0, HEAD_LINES)
  if (whole) return {head, tail: head}
  const t = readBytes(file.path, Math.max(0, file.size - TAIL_BYTES), TAIL_BYTES)
  return {head, tail: linesOf(t, true, false)}
}

function zoneFor<T>(chosen: LineFormat<T>[], zone?: string): ZoneDecision {
  const fixed = chosen.length === 1 ? chosen[0]!.fixedZone : undefined
  return fixed ? {zone: fixed, how: 'format'} : zone ? {zone, how: 'flag'} : {zone: systemZone(), how: 'system'}
}

/** Times of the records of some lines, parsed on a throwaway context (as readSource would read them). */
function recordTimes<T extends {time: number; end?: number | null}>(
  file: SourceFile,
  formats: LineFormat<T>[],
  zone: ZoneDecision,
  year: YearPolicy,
  lines: string[],
): {first: number | null; min: number | null; max: number | null; by: string | null} {
  const ctx: ParseContext = {file, time: new TimeContext(zone, boundedYear(year, file)), state: {}, malformed() {}}
  let first: number | null = null
  let min: number | null = null
  let max: number | null = null
  let by: string | null = null
  let timed = 0
  for (const [i, text] of lines.entries()) {
    if (first !== null && timed >= TIMED_LINES) break
    for (const f of formats) {
      let got: T | T[] | null = null
      try {
        got = f.parse({no: i + 1, text}, ctx)
      } catch {
        got = null
      }
      if (got === null) continue
      for (const r of Array.isArray(got) ? got : [got]) {
        if (!Number.isFinite(r.time)) continue
        if (first === null) {
          first = r.time
          by = f.name
        }
        timed++
        const hi = typeof r.end === 'number' && Number.isFinite(r.end) ? Math.max(r.time, r.end) : r.time
        min = min === null ? r.time : Math.min(min, r.time)
        max = max === null ? hi : Math.max(max, hi)
      }
      break
    }
  }
  return {first, min, max, by}
}

async function readHead<T extends {time: number; end?: number | null}>(file: SourceFile, formats: readonly LineFormat<T>[], opts: PruneOptions): Promise<Head | null> {
  let got
  try {
    got = await headLines(file)
  } catch {
    return null
  }
  if (!got || got.head.length === 0) return null
  let chosen: LineFormat<T>[]
  let name: string | null
  if (opts.format) {
    const f = formats.find((x) => x.name === opts.format)
    if (!f) return null
    chosen = [f]
    name = f.name
  } else {
    const d = detectFormat(formats, got.head)
    chosen = d ? [d.format] : formats.filter((f) => f.prefilter)
    name = d ? d.format.name : null
  }
  const zone = zoneFor(chosen, opts.zone)
  const h = recordTimes(file, chosen, zone, opts.year, got.head)
  const tailMax = got.tail ? recordTimes(file, chosen, zone, opts.year, got.tail.slice(-TIMED_LINES)).max : null
  return {format: name ?? h.by, zone, first: h.first, min: h.min, max: h.max, tailMax}
}

/** Decides, for each file (in the order given), whether it can be skipped for these windows. */
export async function planPruning<T extends {time: number; end?: number | null}>(
  files: SourceFile[],
  formats: readonly LineFormat<T>[],
  opts: PruneOptions,
): Promise<PruneDecision[]> {
  // a few heads at a time: hundreds of rotated files read at once would hold all their heads in memory
  const heads: (Head | null)[] = new Array(files.length).fill(null)
  let nextHead = 0
  await Promise.all(
    Array.from({length: Math.min(4, files.length)}, async () => {
      while (nextHead < files.length) {
        const i = nextHead++
        heads[i] = await readHead(files[i]!, formats, opts)
      }
    }),
  )
  // successor of each file in its rotation set (same directory and family, given oldest first)
  const next = new Map<number, number>()
  const lastOfSet = new Map<string, number>()
  files.forEach((f, i) => {
    const key = `${dirname(f.path)}\u0000${rotationKey(basename(f.path)).family}`
    const prev = lastOfSet.get(key)
    if (prev !== undefined) next.set(prev, i)
    lastOfSet.set(key, i)
  })
  const M = opts.marginMs
  return files.map((file, i) => {
    const h = heads[i]
    const keep = (reason: string | null = null): PruneDecision => ({
      file,
      skip: false,
      reason,
      format: h?.format ?? null,
      zone: h?.zone ?? zoneFor([], opts.zone),
      first: h?.first ?? null,
      lastBound: null,
      lastHow: null,
    })
    if (!h || h.min === null || h.max === null) return keep()
    let lastBound: number | null = null
    let lastHow: PruneDecision['lastHow'] = null
    if (h.tailMax !== null) {
      lastBound = Math.max(h.tailMax, h.max)
      lastHow = 'tail'
    } else {
      const j = next.get(i)
      const nh = j === undefined ? null : heads[j]
      if (nh && nh.min !== null && nh.max !== null) {
        // rotation order is time order only when the heads agree; a set out of order bounds nothing
        if (nh.min >= h.min) {
          lastBound = Math.max(nh.max, h.max)
          lastHow = 'next-file'
        }
      } else if (j === undefined && file.mtimeMs >= h.max) {
        lastBound = file.mtimeMs
        lastHow = 'mtime'
      }
    }
    const lo = h.min - M
    const hi = lastBound === null ? Infinity : lastBound + M
    const hit = opts.windows.some((w) => w.to >= lo && w.from <= hi)
    if (hit) return {...keep(), lastBound, lastHow}
    const span = `${isoUtc(h.min)} … ${lastBound === null ? 'later' : `${isoUtc(lastBound)} (${lastHow === 'next-file' ? "the next rotated file's first line" : lastHow === 'tail' ? 'its last line' : 'its modification time'})`}`
    const hours = Math.round((M / 3600_000) * 10) / 10
    return {
      file,
      skip: true,
      reason: `its lines run ${span}: no reported instant within ${hours} h of that, so it is not read (--full-scan reads it)`,
      format: h.format,
      zone: h.zone,
      first: h.first,
      lastBound,
      lastHow,
    }
  })
}

/** For `logs inspect --at`: which files an attribution at these instants would skip, and why. */
export async function explainPruning<T extends {time: number; end?: number | null}>(
  files: SourceFile[],
  formats: readonly LineFormat<T>[],
  opts: {zone?: string; format?: string; at: number[]; skewMs: number; marginMs: number},
): Promise<{file: string; skip: boolean; reason: string | null; firstTime: string | null; lastBound: string | null; lastHow: PruneDecision['lastHow']}[]> {
  const year: YearPolicy = {anchorMs: Math.min(...opts.at), mode: 'nearest', anchorWhat: 'the first --at instant'}
  const windows = opts.at.map((t) => ({from: t - opts.skewMs, to: t + opts.skewMs}))
  const plan = await planPruning(files, formats, {zone: opts.zone, year, format: opts.format, windows, marginMs: opts.marginMs})
  return plan.map((d) => ({
    file: d.file.display,
    skip: d.skip,
    reason: d.skip ? d.reason : d.first === null ? 'read: no time found in its first lines' : null,
    firstTime: d.first === null ? null : isoUtc(d.first),
    lastBound: d.lastBound === null ? null : isoUtc(d.lastBound),
    lastHow: d.lastHow,
  }))
}
