/**
 * `natrace scan --follow`: tails growing log files like `tail -F` and feeds each new record to a callback.
 *
 * - Rotation-aware: the path is stat'ed every poll; when it names another file (inode changed: newsyslog /
 *   logrotate moved it away and created a new one) the old descriptor is read to its end first, then the new
 *   file is read from its start; when the file shrank (truncated in place, copytruncate) it is read again
 *   from the start. A path that disappears is waited for.
 * - Line numbers in evidence are true line numbers of the file being read (lines already present when
 *   following starts are counted, not parsed, unless `fromStart`).
 * - Memory: one read buffer per file and the partial last line; records are handed over, never kept.
 * - Compressed files cannot grow: they are refused with a warning.
 */
import {open, stat, type FileHandle} from 'node:fs/promises'
import type {SourceFile} from '../model.js'
import type {ScanRecord} from './fastpath.js'
import type {Warning} from '../io/errors.js'
import {detectFormat, type LineFormat, type ParseContext} from '../io/format.js'
import {sniffCompression} from '../io/files.js'
import {systemZone, TimeContext} from '../io/time.js'

export interface FollowOptions {
  zone?: string
  format?: string
  /** read what the files already hold before following (default: start at their end) */
  fromStart?: boolean
  pollMs?: number
  onRecord: (ev: ScanRecord, format: string) => void
  onWarning?: (w: Warning) => void
  /** called once every file is open and positioned */
  onReady?: () => void
  /** called after each poll that read something */
  onIdle?: () => void
  signal?: AbortSignal
}

interface Tail {
  path: string
  fh: FileHandle | null
  ino: number
  pos: number
  lineNo: number
  carry: Buffer | null
  format: LineFormat<ScanRecord> | null
  sample: string[]
  ctx: ParseContext
}

const CHUNK = 1 << 20

function newCtx(path: string, zone: string | undefined): ParseContext {
  const file: SourceFile = {path, display: path, size: 0, mtimeMs: Date.now(), compressed: null}
  const decision = zone ? {zone, how: 'flag' as const} : {zone: systemZone(), how: 'system' as const}
  return {
    file,
    time: new TimeContext(decision, {anchorMs: Date.now(), mode: 'not-after', anchorWhat: 'the current time (following a live log)'}),
    state: {},
    malformed() {},
  }
}

/** Complete lines in the first `upTo` bytes, and the offset just after the last newline. */
async function countLines(fh: FileHandle, upTo: number): Promise<{lines: number; end: number}> {
  const buf = Buffer.allocUnsafe(CHUNK)
  let n = 0
  let pos = 0
  let end = 0
  while (pos < upTo) {
    const {bytesRead} = await fh.read(buf, 0, Math.min(CHUNK, upTo - pos), pos)
    if (bytesRead === 0) break
    for (let i = buf.indexOf(10, 0); i >= 0 && i < bytesRead; i = buf.indexOf(10, i + 1)) {
      n++
      end = pos + i + 1
    }
    pos += bytesRead
  }
  return {lines: n, end}
}

export async function followFiles(paths: string[], formats: readonly LineFormat<ScanRecord>[], opts: FollowOptions): Promise<void> {
  const forced = opts.format ? formats.find((f) => f.name === opts.format) ?? null : null
  const tails: Tail[] = []
  const warn = (w: Warning) => opts.onWarning?.(w)
  for (const path of paths) {
    const t: Tail = {path, fh: null, ino: -1, pos: 0, lineNo: 0, carry: null, format: forced, sample: [], ctx: newCtx(path, opts.zone)}
    try {
      if ((await sniffCompression(path)) !== null) {
        warn({file: path, message: 'a compressed file does not grow: not followed (give the live log)'})
        continue
      }
      const st = await stat(path)
      if (!st.isFile()) {
        warn({file: path, message: 'not a regular file: not followed (give the live log file, not a directory)'})
        continue
      }
      t.fh = await open(path, 'r')
      t.ino = st.ino
      if (!opts.fromStart) {
        // a partial last line is read once its newline arrives
        const c = await countLines(t.fh, st.size)
        t.pos = c.end
        t.lineNo = c.lines
      }
    } catch (e) {
      warn({file: path, message: `cannot open (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); waiting for it to appear`})
    }
    tails.push(t)
  }
  opts.onReady?.()
  const poll = opts.pollMs ?? 250
  while (!opts.signal?.aborted) {
    let any = false
    for (const t of tails) if (await step(t, formats, opts, warn)) any = true
    if (any) opts.onIdle?.()
    await new Promise((r) => setTimeout(r, poll))
  }
  for (const t of tails) await t.fh?.close().catch(() => {})
}

/** One poll of one file: reads what was appended, follows a rotation or a truncation. */
async function step(t: Tail, formats: readonly LineFormat<ScanRecord>[], opts: FollowOptions, warn: (w: Warning) => void): Promise<boolean> {
  let st
  try {
    st = await stat(t.path)
  } catch {
    st = null // moved away, not yet recreated: keep reading the old descriptor
  }
  let read = false
  if (t.fh && (st === null || st.ino !== t.ino)) {
    // rotated: finish the old file, then switch
    read = (await drain(t, formats, opts, Infinity)) || read
    await t.fh.close().catch(() => {})
    t.fh = null
    if (t.carry && t.carry.length) emitLine(t, t.carry.toString('utf8'), formats, opts)
    t.carry = null
  }
  if (!st) return read
  if (!t.fh) {
    try {
      t.fh = await open(t.path, 'r')
    } catch {
      return read
    }
    warn({file: t.path, message: t.ino === -1 ? 'the file now exists: following it' : 'reopened: the file was rotated (a new file now has this name)'})
    t.ino = st.ino
    t.pos = 0
    t.lineNo = 0
    t.carry = null
    t.ctx = newCtx(t.path, opts.zone)
  } else if (st.size < t.pos) {
    warn({file: t.path, message: 'truncated: reading it again from the start'})
    t.pos = 0
    t.lineNo = 0
    t.carry = null
  }
  return (await drain(t, formats, opts, st.size)) || read
}

async function drain(t: Tail, formats: readonly LineFormat<ScanRecord>[], opts: FollowOptions, upTo: number): Promise<boolean> {
  if (!t.fh) return false
  const buf = Buffer.allocUnsafe(CHUNK)
  let got = false
  while (t.pos < upTo) {
    const {bytesRead} = await t.fh.read(buf, 0, Math.min(CHUNK, upTo === Infinity ? CHUNK : upTo - t.pos), t.pos)
    if (bytesRead === 0) break
    got = true
    t.pos += bytesRead
    let data = buf.subarray(0, bytesRead)
    if (t.carry) {
      data = Buffer.concat([t.carry, data])
      t.carry = null
    }
    let start = 0
    for (let nl = data.indexOf(10, 0); nl >= 0; nl = data.indexOf(10, start)) {
      let end = nl
      if (end > start && data[end - 1] === 13) end--
      emitLine(t, data.toString('utf8', start, end), formats, opts)
      start = nl + 1
    }
    if (start < data.length) t.carry = Buffer.from(data.subarray(start))
  }
  return got
}

function emitLine(t: Tail, text: string, formats: readonly LineFormat<ScanRecord>[], opts: FollowOptions): void {
  t.lineNo++
  if (text.length === 0) return
  if (!t.format) {
    t.sample.push(text)
    const d = detectFormat(formats, t.sample)
    if (d) t.format = d.format
    if (t.sample.length > 50) t.sample.shift()
  }
  const line = {no: t.lineNo, text}
  const fs = t.format ? [t.format] : formats.filter((f) => f.prefilter)
  for (const f of fs) {
    let got: ScanRecord | ScanRecord[] | null
    try {
      got = f.parse(line, t.ctx)
    } catch {
      got = null
    }
    if (got === null) continue
    if (Array.isArray(got)) for (const e of got) opts.onRecord(e, f.name)
    else opts.onRecord(got, f.name)
    return
  }
}
