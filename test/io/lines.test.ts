import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import type {Warning} from '../../src/io/errors.js'
import {sniffCompression} from '../../src/io/files.js'
import {readLines, sampleLines} from '../../src/io/lines.js'
import type {SourceFile} from '../../src/model.js'

const dir = mkdtempSync(join(tmpdir(), 'natrace-lines-'))
const has = (tool: string) => spawnSync(tool, ['--version'], {stdio: 'ignore'}).status === 0
const TEXT = Array.from({length: 3000}, (_, i) => `Mar  3 21:14:${String(i % 60).padStart(2, '0')} gw kernel: ipfw: 1 Count TCP 10.0.${i % 250}.1:${1024 + i} 203.0.113.9:443 in via em0`).join('\n') + '\n'

async function sourceOf(path: string): Promise<SourceFile> {
  return {path, display: path, size: 0, mtimeMs: 0, compressed: (await sniffCompression(path)) as SourceFile['compressed']}
}

async function readAllLines(f: SourceFile, needles?: string[]): Promise<{lines: {no: number; text: string}[]; warnings: Warning[]}> {
  const warnings: Warning[] = []
  const lines: {no: number; text: string}[] = []
  for await (const b of readLines(f, {needles, onWarning: (w) => warnings.push(w)})) lines.push(...b)
  return {lines, warnings}
}

function compressed(tool: string, ext: string, text = TEXT): string {
  const p = join(dir, `messages.${ext}`)
  writeFileSync(p, spawnSync(tool, ['-c'], {input: text, maxBuffer: 1 << 26}).stdout)
  return p
}

describe('readLines: compressed inputs', () => {
  it('keeps gzip behaviour: a truncated .gz keeps its complete lines and warns once, naming the last line read', async () => {
    const gz = gzipSync(Buffer.from(TEXT))
    const p = join(dir, 'cut.gz')
    writeFileSync(p, gz.subarray(0, Math.floor(gz.length / 2)))
    const {lines, warnings} = await readAllLines(await sourceOf(p))
    expect(lines.length).toBeGreaterThan(100)
    expect(lines.length).toBeLessThan(3000)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/^truncated gzip: read up to line \d+/)
    expect(lines.every((l, i) => l.text === TEXT.split('\n')[i])).toBe(true)
  })

  for (const [tool, ext] of [['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst']] as const) {
    it.skipIf(!has(tool))(`streams a .${ext} file line by line with the right numbers, pre-filter included`, async () => {
      const f = await sourceOf(compressed(tool, ext))
      expect(f.compressed).toBe(tool)
      const all = await readAllLines(f)
      expect(all.warnings).toEqual([])
      expect(all.lines).toHaveLength(3000)
      expect(all.lines[2999]).toEqual({no: 3000, text: TEXT.split('\n')[2999]})
      const hit = await readAllLines(f, [':2500 '])
      expect(hit.lines).toEqual([{no: 1477, text: TEXT.split('\n')[1476]}])
    })

    it.skipIf(!has(tool))(`reads what precedes the cut of a truncated .${ext} and warns in one line`, async () => {
      const whole = spawnSync(tool, ['-c'], {input: TEXT + TEXT + TEXT, maxBuffer: 1 << 26}).stdout as Buffer
      const p = join(dir, `cut.${ext}`)
      writeFileSync(p, whole.subarray(0, Math.floor(whole.length * 0.6)))
      const {lines, warnings} = await readAllLines(await sourceOf(p))
      expect(lines.length).toBeLessThan(9000)
      expect(warnings).toHaveLength(1)
      // bzip2 writes whole 900 kB blocks: a cut inside the only block leaves nothing to read
      expect(warnings[0]!.message).toMatch(
        new RegExp(`^(truncated|corrupt) ${tool}.*${lines.length ? `read up to line ${lines.length};` : 'file skipped'}`),
      )
      expect(warnings[0]!.message).not.toContain('\n')
      const src = (TEXT + TEXT + TEXT).split('\n')
      expect(lines.every((l, i) => l.text === src[i])).toBe(true)
    })

    it.skipIf(!has(tool))(`stops the ${tool} process when only a sample is read`, async () => {
      const f = await sourceOf(compressed(tool, ext))
      const s = await sampleLines(f, 5)
      expect(s).toEqual(TEXT.split('\n').slice(0, 5))
    })
  }

  it('says in one line that a decompressor is missing, and skips the file', async () => {
    const p = compressedOrFake()
    const f = await sourceOf(p)
    const old = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      const {lines, warnings} = await readAllLines(f)
      expect(lines).toEqual([])
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.message).toBe('cannot read this xz file: the "xz" program is not installed (install the xz-utils package, or decompress the file first): file skipped, other files are still read')
    } finally {
      process.env.PATH = old
    }
  })
})

/** an xz header is enough: the tool is never found */
function compressedOrFake(): string {
  const p = join(dir, 'nofind.xz')
  writeFileSync(p, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46]))
  return p
}
