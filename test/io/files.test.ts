import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {expandInputs, sniffCompression} from '../../src/io/files.js'

const dir = mkdtempSync(join(tmpdir(), 'natrace-files-'))
const has = (tool: string) => spawnSync(tool, ['--version'], {stdio: 'ignore'}).status === 0


describe('sniffCompression', () => {
  it('recognises gzip by its magic bytes whatever the file is called', async () => {
    const p = join(dir, 'messages.1')
    writeFileSync(p, gzipSync(Buffer.from('hello\n')))
    expect(await sniffCompression(p)).toBe('gzip')
  })
  it('says plain text is not compressed, even when named .xz, and copes with tiny files', async () => {
    const p = join(dir, 'fake.xz')
    writeFileSync(p, 'Jun 18 15:53:34 gw kernel: ipfw: 1 Count TCP\n')
    expect(await sniffCompression(p)).toBeNull()
    const q = join(dir, 'tiny')
    writeFileSync(q, 'B')
    expect(await sniffCompression(q)).toBeNull()
    const e = join(dir, 'empty')
    writeFileSync(e, '')
    expect(await sniffCompression(e)).toBeNull()
  })
  it('recognises bzip2, xz and zstd by their magic bytes', async () => {
    // the headers alone, as the tools write them
    const bz = join(dir, 'a')
    writeFileSync(bz, Buffer.from('BZh91AY&SY'))
    expect(await sniffCompression(bz)).toBe('bzip2')
    const xz = join(dir, 'b')
    writeFileSync(xz, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]))
    expect(await sniffCompression(xz)).toBe('xz')
    const zs = join(dir, 'c')
    writeFileSync(zs, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00]))
    expect(await sniffCompression(zs)).toBe('zstd')
    const notbz = join(dir, 'd')
    writeFileSync(notbz, 'BZhello')
    expect(await sniffCompression(notbz)).toBeNull()
  })
  it.skipIf(!has('xz') || !has('bzip2') || !has('zstd'))('marks real .bz2/.xz/.zst files in an expanded directory', async () => {
    const sub = mkdtempSync(join(tmpdir(), 'natrace-files-dir-'))
    for (const [tool, ext] of [['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst']] as const) {
      const r = spawnSync(tool, ['-c'], {input: 'x\n'})
      writeFileSync(join(sub, `log.${ext}`), r.stdout)
    }
    const files = await expandInputs([sub], 'NAT log')
    expect(Object.fromEntries(files.map((f) => [f.path.split('.').pop(), f.compressed]))).toEqual({bz2: 'bzip2', xz: 'xz', zst: 'zstd'})
  })
})
