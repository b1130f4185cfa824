/**
 * `natrace index`: adds log files to the index. Incremental: a file already indexed (same size, mtime and
 * hash of its first 64 KiB — also under a new name, as rotation renames files) is skipped; a file whose
 * path is indexed with another signature (a live log that grew) is indexed again, its old rows dropped.
 * New files are read on worker threads (one file per job); each writes a log's NAT rows to its Parquet file
 * beside the index (renamed into place when its batch commits) and lease rows to its load batch's temporary
 * TSV; a batch's lease rows and `files` rows are committed in one DuckDB transaction (see below).
 */
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {availableParallelism, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {SourceFile} from '../model.js'
import {expandInputs} from '../io/files.js'
import {NatraceError, type Warning} from '../io/errors.js'
import {COPY_OPTIONS} from './rows.js'
import type {IndexDb} from './schema.js'
import {type IndexJob, type IndexJobResult} from './read.js'
import {readForIndex} from './sink.js'

export interface BuildOptions {
  logTz?: string
  dhcpTz?: string
  natFormat?: string
  leaseFormat?: string
  /** worker threads (default: cores, at most 4); 1 = in this thread */
  threads?: number
  onFile?: (file: SourceFile, status: 'indexed' | 'unchanged' | 'renamed' | 'unknown', records: number) => void
  onWarning?: (w: Warning) => void
}

export interface BuildSummary {
  db: string
  files: number
  indexed: number
  unchanged: number
  renamed: number
  unknown: number
  natRecords: number
  leaseRecords: number
  /** totals in the index after the build */
  totalNatRecords: number
  totalLeaseRecords: number
  seconds: number
}

async function headHash(path: string): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(65536)
    const {bytesRead} = await fh.read(buf, 0, buf.length, 0)
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 32)
  } finally {
    await fh.close()
  }
}

/** headHash of each file, eight reads at a time (one at a time, 360 files took a quarter of a second). */
async function headHashes(files: SourceFile[]): Promise<string[]> {
  const out = new Array<string>(files.length)
  let next = 0
  const reader = async () => {
    while (next < files.length) {
      const i = next++
      out[i] = await headHash(files[i]!.path)
    }
  }
  await Promise.all(Array.from({length: Math.min(8, files.length)}, reader))
  return out
}

/**
 * estimated log text (gzip'd files count 8×) per load batch. Not smaller: each batch ends in a partly filled
 * DuckDB row group of `leases` that the next batch's COPY rewrites, leaving its old blocks free in the file
 * (when NAT rows were a DuckDB table too, 64 MiB batches left 230 MB of 800 MB free on the 944 MB bench set).
 */
const BATCH_BYTES = 256 << 20
/** the smallest batch (the last ones) */
const TAIL_BYTES = 32 << 20

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url))

export async function buildIndex(paths: string[], dbPath: string, opts: BuildOptions = {}): Promise<BuildSummary> {
  const t0 = performance.now()
  const files = await expandInputs(paths, 'log')
  // the worker threads start now: loading their modules (≈ 0.4 s) overlaps opening the index and hashing the
  // files' heads; a run that finds nothing new stops them unused
  const threads = Math.min(opts.threads ?? Math.min(4, availableParallelism()), files.length)
  const pool = threads > 1 && existsSync(WORKER) ? startWorkers(threads) : null
  // and the files' heads are hashed while DuckDB opens the index
  const hashing = headHashes(files)
  hashing.catch(() => {}) // awaited below; not an unhandled rejection when opening the index failed first
  // (DuckDB's binding is loaded only now: ≈ 0.17 s, which held back the workers' start when imported with this module)
  const open = async () => {
    const {lit, natDir, natFile, openIndexDb} = await import('./schema.js')
    return {lit, natDir, natFile, db: await openIndexDb(dbPath, {threads: 1})}
  }
  const {lit, natDir, natFile, db} = await open().catch(async (e: unknown) => {
    await pool?.stop()
    throw e
  })
  const tmp = mkdtempSync(join(tmpdir(), 'natrace-index-'))
  // NAT rows: a Parquet file a log in the directory beside the index, written as `ID.parquet.part` by the worker
  // and renamed to `ID.parquet` when its `files` row is committed
  const dir = natDir(dbPath)
  const part = (id: number) => `${natFile(dbPath, id)}.part`
  const parts: number[] = []
  const summary: BuildSummary = {db: dbPath, files: files.length, indexed: 0, unchanged: 0, renamed: 0, unknown: 0, natRecords: 0, leaseRecords: 0, totalNatRecords: 0, totalLeaseRecords: 0, seconds: 0}
  try {
    const c = db.conn
    try {
      mkdirSync(dir, {recursive: true})
    } catch (e) {
      throw new NatraceError(`cannot make the directory of the index's NAT records (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): remove or rename what is there, or choose another --db`, 1, dir)
    }
    const all = (await c.runAndReadAll('SELECT id, path, size, mtime_ms, head_hash, family, records FROM files')).getRowObjects() as {id: number; path: string; size: bigint; mtime_ms: number; head_hash: string; family: string | null; records: bigint}[]
    // an indexed NAT log whose Parquet file is gone (the directory not copied with the index) is indexed again
    const lost = all.filter((k) => k.family === 'nat' && k.records > 0n && !existsSync(natFile(dbPath, k.id)))
    for (const k of lost) await dropFile(c, k.id)
    const known = all.filter((k) => !lost.includes(k))
    let nextId = known.reduce((a, k) => Math.max(a, k.id), 0) + 1
    const todo: {job: IndexJob; file: SourceFile; hash: string; batch: number}[] = []
    const hashes = await hashing
    // a file's signature, the same text for an indexed file and a file on disk
    const sigOf = (size: bigint | number, mtimeMs: number, hash: string) => `${size}|${mtimeMs}|${hash}`
    const got = files.map((file, i) => ({file, hash: hashes[i]!, sig: sigOf(file.size, file.mtimeMs, hashes[i]!)}))
    // which indexed file each file is: first the one of its own name with its signature (unchanged), then one
    // of its signature under another name (rotation renamed it); each indexed file is taken once, so identical
    // copies of a log (an archive and its backup, same size, mtime and head) keep an indexed file each
    type Known = (typeof known)[number]
    const bySig = new Map<string, Known[]>()
    for (const k of known) {
      const sig = sigOf(k.size, k.mtime_ms, k.head_hash)
      const l = bySig.get(sig)
      if (l) l.push(k)
      else bySig.set(sig, [k])
    }
    const claimed = new Set<number>()
    const same = new Map<(typeof got)[number], Known>()
    const take = (g: (typeof got)[number], k: Known | undefined) => {
      if (!k) return
      claimed.add(k.id)
      same.set(g, k)
    }
    for (const g of got) take(g, bySig.get(g.sig)?.find((k) => k.path === g.file.display && !claimed.has(k.id)))
    for (const g of got) if (!same.has(g)) take(g, bySig.get(g.sig)?.find((k) => !claimed.has(k.id)))
    // an indexed file of one of these names that no file is now (a live log that grew, a name a rotation moved
    // on, a row left twice by an older natrace): its rows go, the file under that name is indexed again
    const names = new Set(got.map((g) => g.file.display))
    const dropped = new Set<number>()
    for (const k of known) {
      if (claimed.has(k.id) || !names.has(k.path)) continue
      await dropFile(c, k.id)
      dropped.add(k.id)
    }
    // files in the directory of no indexed file (those just dropped, or left by a build that stopped or a failed
    // commit) go
    const keep = new Set(known.filter((k) => !dropped.has(k.id)).map((k) => `${k.id}.parquet`))
    for (const f of readdirSync(dir)) if (/^\d+\.parquet(\.part)?$/.test(f) && !keep.has(f)) rmSync(join(dir, f), {force: true})
    for (const g of got) {
      const {file, hash} = g
      const k = same.get(g)
      if (k) {
        if (k.path !== file.display) {
          await c.run(`UPDATE files SET path = ${lit(file.display)} WHERE id = ${k.id}`)
          summary.renamed++
          opts.onFile?.(file, 'renamed', 0)
        } else {
          summary.unchanged++
          opts.onFile?.(file, 'unchanged', 0)
        }
        continue
      }
      const id = nextId++
      parts.push(id)
      todo.push({
        file,
        hash,
        batch: 0,
        job: {id: todo.length, fileId: id, file, leaseTsv: '', natFile: part(id), logTz: opts.logTz, dhcpTz: opts.dhcpTz, natFormat: opts.natFormat, leaseFormat: opts.leaseFormat},
      })
    }
    // files in input (rotation) order, but a file more than twice the median size goes first (a big lease file
    // or a live plain log, last in input order, was read by one worker alone at the end)
    const textBytes = (f: SourceFile) => (f.compressed ? f.size * 8 : f.size)
    const sizes = todo.map((t) => textBytes(t.file)).sort((a, b) => a - b)
    const big = 2 * (sizes[sizes.length >> 1] ?? 0)
    todo.sort((a, b) => Number(textBytes(b.file) > big) - Number(textBytes(a.file) > big))
    todo.forEach((t, i) => (t.job.id = i))
    // jobs in load batches of consecutive files (~BATCH_BYTES of log text): the lease rows of a batch's files
    // (one TSV) are loaded by one COPY, in one transaction with their `files` rows and with the renaming of
    // their NAT rows' Parquet files (one load per file cost a third more, and a crash between a file's rows and
    // its `files` row would have left rows no later run could drop)
    const batches: {jobs: number; done: {t: (typeof todo)[number]; r: IndexJobResult}[]; lease: string}[] = []
    let acc = Infinity
    let limit = BATCH_BYTES
    let left = todo.reduce((a, t) => a + textBytes(t.file), 0)
    for (const t of todo) {
      if (acc >= limit) {
        // batches shrink towards the end (a third of what is left): the load of the last batch is the one
        // part of the build no worker overlaps (a 256 MiB batch kept DuckDB alone for 2-3 s at the end)
        limit = Math.max(TAIL_BYTES, Math.min(BATCH_BYTES, left / 3))
        const k = batches.length
        batches.push({jobs: 0, done: [], lease: join(tmp, `lease-${k}.tsv`)})
        acc = 0
      }
      const b = batches[batches.length - 1]!
      b.jobs++
      t.job.leaseTsv = b.lease
      t.batch = batches.length - 1
      acc += textBytes(t.file)
      left -= textBytes(t.file)
    }
    const num = (v: number | null) => (v === null ? 'NULL' : String(Math.round(v)))
    const loadBatch = async (b: (typeof batches)[number]) => {
      b.done.sort((x, y) => x.t.job.id - y.t.job.id)
      await c.run('BEGIN TRANSACTION')
      try {
        if (b.done.some((d) => d.r.family === 'lease') && existsSync(b.lease)) await c.run(`COPY leases FROM ${lit(b.lease)} ${COPY_OPTIONS}`)
        // the batch's `files` rows in one statement (one statement a file cost ≈ 0.9 ms each)
        const rows = b.done.map(
          ({t, r}) =>
            `(${t.job.fileId}, ${lit(t.file.display)}, ${r.family === null ? 'NULL' : lit(r.family)}, ${t.file.size}, ${t.file.mtimeMs}, ${lit(t.hash)}, ${t.file.compressed === null ? 'NULL' : lit(t.file.compressed)}, ${r.format === null ? 'NULL' : lit(r.format)}, ${lit(r.zone)}, ${lit(r.zoneHow)}, ${lit(JSON.stringify(r.years))}, ${num(r.firstMs)}, ${num(r.lastMs)}, ${r.records}, ${r.lines}, ${r.malformed}, ${r.dstRepeated}, ${r.dstGap}, ${Date.now()}, ${r.firstLine ? r.firstLine.line : 'NULL'}, ${r.firstLine ? lit(r.firstLine.text) : 'NULL'}, ${r.lastLine ? r.lastLine.line : 'NULL'}, ${r.lastLine ? lit(r.lastLine.text) : 'NULL'}, ${r.natTime ? r.natTime.min : 'NULL'}, ${r.natTime ? r.natTime.max : 'NULL'})`,
        )
        if (rows.length) await c.run(`INSERT INTO files VALUES ${rows.join(', ')}`)
        // the NAT rows' files under their names, then the commit (a commit that fails leaves files of no indexed
        // file: the next build removes them)
        for (const {t, r} of b.done) if (r.natRows) renameSync(part(t.job.fileId), natFile(dbPath, t.job.fileId))
        await c.run('COMMIT')
      } catch (e) {
        await c.run('ROLLBACK').catch(() => {})
        throw e
      }
      rmSync(b.lease, {force: true})
      for (const {t, r} of b.done) {
        for (const w of r.warnings) opts.onWarning?.(w)
        if (r.family === null) {
          summary.unknown++
          opts.onFile?.(t.file, 'unknown', 0)
          opts.onWarning?.({file: t.file.display, message: 'no known NAT log or lease format recognised in this file: not indexed'})
        } else {
          if (r.family === 'nat') summary.natRecords += r.records
          else summary.leaseRecords += r.records
          summary.indexed++
          opts.onFile?.(t.file, 'indexed', r.records)
        }
      }
    }
    // a batch is loaded as soon as its last file is read (files are handed out in order)
    const load = async (t: (typeof todo)[number], r: IndexJobResult) => {
      const b = batches[t.batch]!
      b.done.push({t, r})
      if (b.done.length === b.jobs) await loadBatch(b)
    }
    if (pool && todo.length > 1) await runOnWorkers(pool, todo, load)
    else for (const t of todo) await load(t, await readForIndex(t.job))
    const tot = (await c.runAndReadAll(`SELECT (SELECT coalesce(sum(records), 0) FROM files WHERE family = 'nat'), (SELECT count(*) FROM leases)`)).getRows()[0]!
    summary.totalNatRecords = Number(tot[0])
    summary.totalLeaseRecords = Number(tot[1])
    await c.run('CHECKPOINT')
  } finally {
    await pool?.stop()
    db.close()
    rmSync(tmp, {recursive: true, force: true})
    // (the NAT rows of files whose batch was not committed: a build that failed)
    for (const id of parts) rmSync(part(id), {force: true})
  }
  summary.seconds = (performance.now() - t0) / 1000
  return summary
}

/** An indexed file's rows dropped: its lease rows and `files` row (its NAT rows' file goes with the other files of no indexed file). */
async function dropFile(c: IndexDb['conn'], id: number): Promise<void> {
  await c.run(`DELETE FROM leases WHERE file_id = ${id}`)
  await c.run(`DELETE FROM files WHERE id = ${id}`)
}

interface Pool {
  workers: Worker[]
  /** the first error of a worker before runOnWorkers took them (one that could not start) */
  failed: Error | null
  stop(): Promise<void>
}

function startWorkers(threads: number): Pool {
  // a young generation of 32 MiB, not 4: a worker makes a few short-lived strings per record, and with
  // 4 MiB a third of its time went to the garbage collector (about 8 % less CPU in all, RSS unchanged)
  const workers = Array.from({length: threads}, () => new Worker(WORKER, {resourceLimits: {maxYoungGenerationSizeMb: 32}}))
  const pool: Pool = {workers, failed: null, stop: async () => void (await Promise.all(workers.map((w) => w.terminate())))}
  for (const w of workers) w.once('error', (e) => (pool.failed ??= e))
  return pool
}

async function runOnWorkers<T extends {job: IndexJob}>(pool: Pool, todo: T[], load: (t: T, r: IndexJobResult) => Promise<void>): Promise<void> {
  let next = 0
  let loading = Promise.resolve()
  if (pool.failed) throw pool.failed
  await new Promise<void>((resolve, reject) => {
    let done = 0
    let failed = false
    const give = (w: Worker) => {
      if (next < todo.length) w.postMessage(todo[next++]!.job)
    }
    for (const w of pool.workers) {
      w.on('message', (m: {ok: true; id: number; result: IndexJobResult} | {ok: false; id: number; message: string}) => {
        if (failed) return
        if (!m.ok) {
          failed = true
          reject(new Error(`${todo[m.id]!.job.file.display}: ${m.message}`))
          return
        }
        give(w)
        // loads run one at a time, in the order files finish
        loading = loading.then(() => load(todo[m.id]!, m.result))
        loading.catch((e) => {
          failed = true
          reject(e)
        })
        loading.then(() => {
          if (++done === todo.length) resolve()
        }, () => {})
      })
      w.on('error', (e) => {
        if (!failed) {
          failed = true
          reject(e)
        }
      })
      // a worker gone without an error event would leave its file unanswered
      w.on('exit', (code) => {
        if (!failed && done < todo.length) {
          failed = true
          reject(new Error(`an index worker thread stopped (exit code ${code})`))
        }
      })
      give(w)
    }
  })
}
