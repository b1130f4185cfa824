/**
 * The first lines of a file for format detection, cheaply: a gzip'd file's first bytes are inflated in one
 * synchronous call (no stream, no 1 MiB read-ahead that inflates most of a small rotated file only to throw
 * it away). Gives exactly what sampleLines gives — the first `n` lines, CRs stripped, empty lines kept — and
 * falls back to it for anything else (other compressions, binary-looking data, very long lines).
 */
import {open} from 'node:fs/promises'
import {constants, gunzipSync} from 'node:zlib'
import type {SourceFile} from '../model.js'
import {sampleLines} from './lines.js'

async function readAt(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    const {bytesRead} = await fh.read(buf, 0, n, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

function hasControl(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192)
  let ctl = 0
  for (let i = 0; i < n; i++) {
    const b = buf[i]!
    if (b === 0) return true
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) ctl++
  }
  return ctl > n * 0.1
}

/** The first `n` lines of a file (decompressed), as sampleLines gives them. */
export async function headSample(file: SourceFile, n = 200): Promise<string[]> {
  if (file.compressed === null || file.compressed === 'gzip') {
    try {
      for (let bytes = 16 * 1024; bytes <= 1024 * 1024; bytes *= 4) {
        const raw = await readAt(file.path, bytes)
        const whole = raw.length < bytes // the whole file was read
        const text = file.compressed === 'gzip' ? gunzipSync(raw, {finishFlush: constants.Z_SYNC_FLUSH}) : raw
        if (hasControl(text)) break
        const end = whole ? text.length : text.lastIndexOf(0x0a) + 1
        const lines = text.toString('utf8', 0, end).split('\n')
        // a final newline leaves an empty last element that is no line
        if (lines.length && lines[lines.length - 1] === '') lines.pop()
        if (lines.some((l) => l.length > 64 * 1024)) break
        if (lines.length >= n || whole) return lines.slice(0, n).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
      }
    } catch {
      // a corrupt or truncated head: the streaming reader says what is wrong
    }
  }
  return sampleLines(file, n, () => {})
}
