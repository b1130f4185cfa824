/**
 * Streaming lines out of plain or compressed files with bounded memory (gzip through zlib; bzip2, xz and
 * zstd through the system's `bzip2`/`xz`/`zstd -dc`, streamed, with a one-line warning when the tool is
 * missing).
 *
 * - Lines are yielded in batches (one per chunk) with their 1-based line numbers.
 * - With `needles`, only lines containing one of them (byte-level search, before any decoding) are yielded:
 *   the cheap pre-filter that lets a parser look at a tiny fraction of a big log.
 * - A line longer than `maxLineBytes` is skipped with a warning (its number kept), never buffered whole.
 * - A truncated or corrupt gzip ends that file with a warning naming the last complete line; what was read
 *   before is kept. A file that looks binary (NUL bytes) is skipped with a warning.
 */
import {spawn} from 'node:child_process'
import {createReadStream} from 'node:fs'
import {createGunzip} from 'node:zlib'
import type {Readable} from 'node:stream'
import type {ReadStream} from 'node:fs'
import type {SourceFile} from '../model.js'
import type {Warning} from './errors.js'

export interface Line {
  no: number
  text: string
}

export interface ReadOptions {
  /** yield only lines containing one of these strings (empty or absent: all lines) */
  needles?: string[]
  /** default 1 MiB */
  maxLineBytes?: number
  onWarning?: (w: Warning) => void
  /** stop after this many lines (for sampling) */
  maxLines?: number
  /** called with the count of bytes read from disk so far (progress) */
  onProgress?: (diskBytes: number, lines: number) => void
  /**
   * called once at the end of the file with its last few complete lines (up to `tailLines`, default 20),
   * whatever the needles: lets a pre-filtered read still learn the time span of the file
   */
  onTail?: (lines: string[]) => void
  /** with needles: also yield this many lines after each matching line (records split over two lines) */
  after?: number
  /** with needles: also yield the line before each matching line (0 or 1) */
  before?: number
  tailLines?: number
}

/** The last `n` newline-terminated lines of a buffer region ending at `end` (exclusive of the final NL). */
function lastLinesOf(buf: Buffer, end: number, n: number): string[] {
  const out: string[] = []
  let e = end
  while (out.length < n && e > 0) {
    const s = buf.lastIndexOf(NL, e - 1) + 1
    if (e - s <= 4096) out.unshift(decode(buf, s, e))
    if (s === 0) break
    e = s - 1
  }
  return out
}

const NL = 0x0a

/** System decompressors for the formats zlib does not read (Node 20 has no bzip2/xz/zstd). */
const TOOLS: Record<string, {tool: string; pkg: string}> = {
  bzip2: {tool: 'bzip2', pkg: 'bzip2'},
  xz: {tool: 'xz', pkg: 'xz-utils'},
  zstd: {tool: 'zstd', pkg: 'zstd'},
}

/** An error of an external decompressor, with the operator-facing text already written. */
class DecompressError extends Error {
  constructor(readonly what: string) {
    super(what)
  }
}

interface Opened {
  stream: Readable
  disk: ReadStream
  /** resolves when the decompressor (if any) ended well; rejects with a DecompressError otherwise */
  finished: Promise<void>
  /** stops the decompressor of an abandoned read */
  stop: () => void
}

/**
 * Disk reads and inflated chunks: 256 KiB keeps the per-chunk work (needle search, line joining) amortised
 * while each reading thread holds a few MiB of buffers instead of tens (1 MiB chunks churned until the next GC).
 */
const READ_CHUNK = 256 * 1024

function openStream(file: SourceFile): Opened {
  const disk = createReadStream(file.path, {highWaterMark: READ_CHUNK})
  const kind = file.compressed as string | null
  if (kind === 'gzip') {
    const gunzip = createGunzip({chunkSize: READ_CHUNK})
    disk.on('error', (e) => gunzip.destroy(e))
    return {stream: disk.pipe(gunzip), disk, finished: Promise.resolve(), stop: () => {}}
  }
  const t = kind ? TOOLS[kind] : undefined
  if (!t) return {stream: disk, disk, finished: Promise.resolve(), stop: () => {}}
  // `tool -dc` reads the file from stdin and streams the text on stdout; stderr says why it failed
  const proc = spawn(t.tool, ['-dc'], {stdio: ['pipe', 'pipe', 'pipe']})
  let err = ''
  proc.stderr.on('data', (d: Buffer) => {
    if (err.length < 2000) err += d.toString('utf8')
  })
  proc.stdin.on('error', () => {}) // EPIPE when the tool stops early (bad data, or we stopped it)
  disk.on('error', (e) => {
    proc.kill()
    proc.stdout.destroy(e)
  })
  disk.pipe(proc.stdin)
  let stopped = false
  const finished = new Promise<void>((resolve, reject) => {
    proc.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        new DecompressError(
          e.code === 'ENOENT'
            ? `cannot read this ${kind} file: the "${t.tool}" program is not installed (install the ${t.pkg} package, or decompress the file first)`
            : `cannot run "${t.tool}" to read this ${kind} file (${e.message})`,
        ),
      )
    })
    proc.on('close', (code, signal) => {
      if (code === 0 || stopped) return resolve()
      const first = err.split('\n').find((l) => l.trim()) ?? `exit ${code ?? signal}`
      const clean = first.replace(/^\S*(bzip2|xz|zstd)\S*:\s*/, '').replace(/\(stdin\)\s*:?\s*/, '').trim()
      reject(new DecompressError(/unexpected|premature|truncat|ends? unexpectedly|incomplete/i.test(err) ? `truncated ${kind}` : `corrupt ${kind} (${clean.slice(0, 120)})`))
    })
  })
  finished.catch(() => {}) // awaited by the reader; never an unhandled rejection when the read is abandoned
  return {
    stream: proc.stdout,
    disk,
    finished,
    stop: () => {
      stopped = true
      if (proc.exitCode === null) proc.kill()
    },
  }
}

function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192)
  let nul = 0
  let ctl = 0
  for (let i = 0; i < n; i++) {
    const b = buf[i]!
    if (b === 0) nul++
    else if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) ctl++
  }
  return nul > 0 || ctl > n * 0.1
}

function decode(buf: Buffer, start: number, end: number): string {
  // tolerate CRLF
  if (end > start && buf[end - 1] === 0x0d) end--
  return buf.toString('utf8', start, end)
}

/** Reads a file as batches of lines. Errors never escape: they become warnings. */
export async function* readLines(file: SourceFile, opts: ReadOptions = {}): AsyncGenerator<Line[]> {
  const maxLine = opts.maxLineBytes ?? 1 << 20
  const needles = (opts.needles ?? []).filter((n) => n.length > 0).map((n) => Buffer.from(n))
  const warn = (w: Warning) => opts.onWarning?.(w)
  const {stream, disk, finished, stop} = openStream(file)
  let lineNo = 0 // number of the last complete line seen
  let carry: Buffer | null = null // partial line from previous chunk
  let skipping = false // inside an overlong line
  let first = true
  let done = false
  let pendingAfter = 0 // lines still to yield after a needle hit (opts.after)
  const after = opts.after ?? 0
  const before = opts.before ?? 0
  let lastEmittedNo = 0 // with needles: the last line yielded (a line before a hit is yielded once)
  let prevChunkLast: Line | null = null // with `before`: the last complete line of the previous chunk
  let tail: string[] = [] // last complete lines seen (only kept when onTail is asked for)
  const tailN = opts.tailLines ?? 20
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (first) {
        first = false
        if (looksBinary(chunk)) {
          warn({file: file.display, message: 'looks like a binary file (NUL/control bytes), not a text log: skipped'})
          return
        }
      }
      let buf: Buffer = chunk
      if (skipping) {
        // the rest of an overlong line ends at the first newline
        const e = chunk.indexOf(NL)
        if (e < 0) continue
        lineNo++
        warn({file: file.display, line: lineNo, message: `line longer than ${maxLine} bytes: skipped`})
        skipping = false
        buf = chunk.subarray(e + 1)
      } else if (carry) {
        buf = Buffer.concat([carry, chunk])
        carry = null
      }
      const lastNl = buf.lastIndexOf(NL)
      if (lastNl < 0) {
        if (buf.length > maxLine) skipping = true
        else carry = Buffer.from(buf)
        continue
      }
      const out: Line[] = []
      let pos = 0
      if (needles.length === 0) {
        while (pos <= lastNl) {
          const e = buf.indexOf(NL, pos)
          lineNo++
          if (e - pos > maxLine) warn({file: file.display, line: lineNo, message: `line longer than ${maxLine} bytes: skipped`})
          else out.push({no: lineNo, text: decode(buf, pos, e)})
          pos = e + 1
          if (opts.maxLines && lineNo >= opts.maxLines) {
            done = true
            break
          }
        }
      } else {
        // find needle hits, then only decode the lines that hold them; count newlines in between
        const hits: number[] = []
        for (const nd of needles) {
          let h = buf.indexOf(nd, pos)
          while (h >= 0 && h < lastNl) {
            hits.push(h)
            h = buf.indexOf(nd, h + nd.length)
          }
        }
        hits.sort((a, b) => a - b)
        // lines owed after a hit of the previous chunk (records split over lines)
        const emitAfter = () => {
          while (pendingAfter > 0 && pos <= lastNl) {
            const e = buf.indexOf(NL, pos)
            lineNo++
            if (e - pos <= maxLine) out.push({no: lineNo, text: decode(buf, pos, e)})
            lastEmittedNo = lineNo
            pos = e + 1
            pendingAfter--
          }
        }
        emitAfter()
        let lastStart = -1
        for (const h of hits) {
          if (h < pos) continue
          const s = buf.lastIndexOf(NL, h) + 1
          const ls = Math.max(s, pos)
          if (ls === lastStart) continue
          // count lines between pos and ls
          let p = pos
          while (p < ls) {
            const e = buf.indexOf(NL, p)
            lineNo++
            p = e + 1
          }
          if (before > 0 && lineNo >= 1 && lineNo > lastEmittedNo) {
            // the line before the hit (a record split over two syslog lines whose first half has no needle)
            if (ls > 0) {
              const ps = ls >= 2 ? buf.lastIndexOf(NL, ls - 2) + 1 : 0
              if (ls - 1 - ps <= maxLine) out.push({no: lineNo, text: decode(buf, ps, ls - 1)})
            } else if (prevChunkLast && prevChunkLast.no === lineNo) out.push(prevChunkLast)
          }
          const e = buf.indexOf(NL, ls)
          lineNo++
          if (e - ls > maxLine) warn({file: file.display, line: lineNo, message: `line longer than ${maxLine} bytes: skipped`})
          else out.push({no: lineNo, text: decode(buf, ls, e)})
          lastEmittedNo = lineNo
          pos = e + 1
          lastStart = ls
          pendingAfter = after
          emitAfter()
        }
        while (pos <= lastNl) {
          pos = buf.indexOf(NL, pos) + 1
          lineNo++
        }
        if (before > 0) {
          const ps = lastNl >= 1 ? buf.lastIndexOf(NL, lastNl - 1) + 1 : 0
          prevChunkLast = lastNl - ps <= maxLine ? {no: lineNo, text: decode(buf, ps, lastNl)} : null
        }
      }
      if (opts.onTail) {
        const got = lastLinesOf(buf, lastNl, tailN)
        tail = got.length >= tailN ? got : [...tail, ...got].slice(-tailN)
      }
      if (!done && lastNl + 1 < buf.length) carry = Buffer.from(buf.subarray(lastNl + 1))
      if (out.length) yield out
      opts.onProgress?.(disk.bytesRead, lineNo)
      if (done) return
    }
    // an external decompressor that failed: what it gave before is kept, its cut-off last line is not
    await finished
    // a last line without a newline
    if (carry && carry.length && !skipping) {
      lineNo++
      const text = decode(carry, 0, carry.length)
      if (opts.onTail) tail = [...tail, text].slice(-tailN)
      if (needles.length === 0 || pendingAfter > 0 || needles.some((n) => carry!.includes(n))) yield [{no: lineNo, text}]
    } else if (skipping) {
      lineNo++
      warn({file: file.display, line: lineNo, message: `line longer than ${maxLine} bytes: skipped`})
    }
    opts.onTail?.(tail)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    const what = e instanceof DecompressError
      ? e.what
      : code === 'Z_BUF_ERROR' || /unexpected end/i.test(String((e as Error).message))
        ? 'truncated gzip'
        : code.startsWith('Z_')
          ? `corrupt gzip (${code})`
          : `read error (${(e as Error).message})`
    warn({
      file: file.display,
      line: lineNo || undefined,
      message:
        lineNo === 0 && e instanceof DecompressError
          ? `${what}: file skipped, other files are still read`
          : `${what}: read up to line ${lineNo}; the rest of this file is lost, other files are still read`,
    })
    opts.onTail?.(tail)
  } finally {
    stop()
    disk.destroy()
    if (stream !== disk) stream.destroy()
  }
}

/** The first `n` lines of a file (decompressed), for format detection. */
export async function sampleLines(file: SourceFile, n = 40, onWarning?: (w: Warning) => void): Promise<string[]> {
  const out: string[] = []
  for await (const batch of readLines(file, {maxLines: n, onWarning})) {
    for (const l of batch) out.push(l.text)
    if (out.length >= n) break
  }
  return out.slice(0, n)
}
