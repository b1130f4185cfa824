/**
 * Input files: expand the user's paths (files or directories, recursively), recognise compression by magic
 * bytes, and order rotated sets (messages.3.gz … messages.0.gz, messages) oldest first.
 */
import {open, readdir, realpath, stat} from 'node:fs/promises'
import {join, basename, dirname} from 'node:path'
import type {SourceFile} from '../model.js'
import {NatraceError, type Warning} from './errors.js'

/** Compressions natrace reads: gzip in-process (zlib), the others through the system's decompressor. */
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd'

/** Recognises gzip, bzip2, xz and zstd by their magic bytes, whatever the name says. */
export async function sniffCompression(path: string): Promise<Compression | null> {
  const fh = await open(path, 'r')
  try {
    const b = Buffer.alloc(6)
    const {bytesRead: n} = await fh.read(b, 0, 6, 0)
    if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip'
    if (n >= 4 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && b[3]! >= 0x31 && b[3]! <= 0x39) return 'bzip2' // "BZh1".."BZh9"
    if (n >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return 'xz'
    if (n >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd'
    return null
  } finally {
    await fh.close()
  }
}

/**
 * Rotation key of a file name: its family (the live name) and age rank (0 = live, larger = older).
 * Understands `name.N`, `name.N.gz`, `name-YYYYMMDD[.gz]`, `name.YYYY-MM-DD[.gz]` and `name.gz`.
 */
export function rotationKey(name: string): {family: string; age: number; date: string | null} {
  let n = name.replace(/\.(gz|bz2|xz|zst|Z)$/, '')
  const num = /^(.*)\.(\d{1,4})$/.exec(n)
  if (num) return {family: num[1]!, age: Number(num[2]) + 1, date: null}
  const dated = /^(.*?)[-._](\d{4})-?(\d{2})-?(\d{2})(?:[-_T]?\d{2,6})?$/.exec(n)
  if (dated) {
    n = dated[1]!
    return {family: n, age: 1, date: `${dated[2]}${dated[3]}${dated[4]}`}
  }
  return {family: n, age: 0, date: null}
}

/** Oldest first within a rotation family; families in name order. */
export function orderRotated(paths: string[]): string[] {
  // keys computed once per path, not once per comparison
  const keyed = paths.map((p) => ({p, dir: dirname(p), key: rotationKey(basename(p))}))
  return keyed.sort((a, b) => {
    const da = a.dir
    const db = b.dir
    if (da !== db) return da < db ? -1 : 1
    const ka = a.key
    const kb = b.key
    if (ka.family !== kb.family) return ka.family < kb.family ? -1 : 1
    // dated files: by date ascending, the live file (age 0) last
    if (ka.age === 0 || kb.age === 0) return kb.age - ka.age
    if (ka.date && kb.date) return ka.date < kb.date ? -1 : ka.date > kb.date ? 1 : 0
    return kb.age - ka.age
  }).map((k) => k.p)
}

const SKIP_NAMES = /(^\.|~$|\.(swp|tmp|part|pid|lock|md|sh|py|js|ts)$)/i
/** the previous lease file dhcpd keeps ("dhcpd.leases~") is history, not an editor backup */
const LEASE_BACKUP = /\.leases~$/

/** Files below a directory; symbolic links are followed (a log archive is often links), loops are not. */
async function walk(dir: string, out: string[], warnings: Warning[], visited = new Set<string>()): Promise<void> {
  let real: string
  try {
    real = await realpath(dir)
  } catch {
    return
  }
  if (visited.has(real)) return
  visited.add(real)
  const entries = await readdir(dir, {withFileTypes: true})
  for (const e of entries) {
    const p = join(dir, e.name)
    const wanted = !SKIP_NAMES.test(e.name) || LEASE_BACKUP.test(e.name)
    if (e.isDirectory()) await walk(p, out, warnings, visited)
    else if (e.isFile()) {
      if (wanted) out.push(p)
    } else if (e.isSymbolicLink()) {
      let st
      try {
        st = await stat(p)
      } catch {
        warnings.push({file: p, message: 'broken symbolic link: skipped'})
        continue
      }
      if (st.isDirectory()) await walk(p, out, warnings, visited)
      else if (st.isFile() && wanted) out.push(p)
    }
  }
}

/**
 * Expands files and directories (recursively) into SourceFiles in rotation order. A missing path is a
 * bad-input error naming it; files inside directories that look like editor/backup/meta files are skipped.
 */
export async function expandInputs(paths: string[], what: string, warnings: Warning[] = []): Promise<SourceFile[]> {
  const found: string[] = []
  for (const p of paths) {
    let st
    try {
      st = await stat(p)
    } catch {
      throw new NatraceError(`${what} path does not exist or cannot be read: check the path given`, 1, p)
    }
    if (st.isDirectory()) {
      const inDir: string[] = []
      await walk(p, inDir, warnings)
      if (inDir.length === 0) throw new NatraceError(`${what} directory holds no files`, 1, p)
      found.push(...orderRotated(inDir))
    } else if (!st.isFile())
      throw new NatraceError(`${what} is not a regular file (a pipe or a device): give the log file itself; .gz, .bz2, .xz and .zst files are read directly`, 1, p)
    else found.push(p)
  }
  const out: SourceFile[] = []
  // the same file named twice (a directory and a file in it, a link to it) is read once
  const seen = new Set<string>()
  for (const p of found) {
    const real = await realpath(p).catch(() => p)
    if (seen.has(real)) continue
    seen.add(real)
    const st = await stat(p)
    out.push({path: p, display: p, size: st.size, mtimeMs: st.mtimeMs, compressed: await sniffCompression(p)})
  }
  return out
}
