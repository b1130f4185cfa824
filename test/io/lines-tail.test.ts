import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {readLines} from '../../src/io/lines.js'
import type {SourceFile} from '../../src/model.js'

function file(content: Buffer, gz = false): SourceFile {
  const dir = mkdtempSync(join(tmpdir(), 'natrace-tail-'))
  const path = join(dir, gz ? 'log.gz' : 'log')
  writeFileSync(path, content)
  return {path, display: path, size: content.length, mtimeMs: 0, compressed: gz ? 'gzip' : null}
}

describe('readLines tail', () => {
  it('reports the last lines of a pre-filtered file even when no line matched near the end', async () => {
    const lines = Array.from({length: 50_000}, (_, i) => `line ${i} ${i === 10 ? 'NEEDLE' : 'x'}`)
    const f = file(gzipSync(Buffer.from(lines.join('\n') + '\n')), true)
    let tail: string[] = []
    const got: number[] = []
    for await (const b of readLines(f, {needles: ['NEEDLE'], onTail: (t) => (tail = t), tailLines: 3})) got.push(...b.map((l) => l.no))
    expect(got).toEqual([11])
    expect(tail).toEqual(['line 49997 x', 'line 49998 x', 'line 49999 x'])
  })
  it('includes a last line without a newline in the tail', async () => {
    const f = file(Buffer.from('a\nb\nc'))
    let tail: string[] = []
    for await (const _ of readLines(f, {onTail: (t) => (tail = t), tailLines: 2})) void _
    expect(tail).toEqual(['b', 'c'])
  })
})

/** 100-character lines filling a 1 MiB read chunk up to its last 300 bytes (the next lines cross into the next chunk) */
function fillerLines(): string[] {
  const filler = 'x'.repeat(100)
  const lines: string[] = []
  let size = 0
  while (size < (1 << 20) - 300) {
    lines.push(filler)
    size += filler.length + 1
  }
  return lines
}

describe('readLines after a needle hit', () => {
  it('also yields the line after a matching line, across chunk boundaries', async () => {
    // the hit is the last line of a 1 MiB chunk; its continuation sits in the next chunk
    const lines = fillerLines()
    lines.push('first half NEEDLE ->203.0.', '113.81:443, len 60', 'unrelated')
    const f = file(Buffer.from(lines.join('\n') + '\n'))
    const got: string[] = []
    for await (const b of readLines(f, {needles: ['NEEDLE'], after: 1})) got.push(...b.map((l) => l.text))
    expect(got).toEqual(['first half NEEDLE ->203.0.', '113.81:443, len 60'])
  })
})

describe('readLines before a needle hit', () => {
  it('also yields the line before a matching line, once, in order, also across chunk boundaries', async () => {
    const lines = fillerLines()
    const size = lines.reduce((n, l) => n + l.length + 1, 0)
    // the first half's newline is the last byte of the first 1 MiB chunk; the needle is in the second half
    const first = 'first half ->198.51.10'
    lines.push('p'.repeat((1 << 20) - size - (first.length + 1) - 1))
    lines.push(first, '0.21:33000) NEEDLE, len 60', 'NEEDLE again', 'unrelated')
    const f = file(Buffer.from(lines.join('\n') + '\n'))
    const got: {no: number; text: string}[] = []
    for await (const b of readLines(f, {needles: ['NEEDLE'], before: 1})) got.push(...b)
    expect(got.map((l) => l.text)).toEqual(['first half ->198.51.10', '0.21:33000) NEEDLE, len 60', 'NEEDLE again'])
    expect(got.map((l) => l.no)).toEqual([lines.length - 3, lines.length - 2, lines.length - 1])
  })
})
