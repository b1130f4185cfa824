/**
 * Reads many log files on worker threads (one file per job, as many workers as cores), with the same results,
 * in the same order, as reading them one after the other with readSource: records, counts and warnings come
 * back per file and are handed over in file order.
 *
 * Decompression and the byte-level pre-filter are the work; each worker streams its file with the bounded
 * buffers of readLines, so memory stays flat whatever the log size (only the pre-filtered records travel).
 * Small inputs, one file, one core, or no built worker script (running from TypeScript sources): sequential.
 */
import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {SourceFile} from '../model.js'
import type {Warning} from './errors.js'
import type {LineFormat} from './format.js'
import {readSource, type SourceOptions, type SourceResult} from './source.js'
import type {YearPolicy} from './time.js'

export type Family = 'nat' | 'lease'

/** Options a worker can receive (no functions). */
export interface WorkerReadOptions {
  zone?: string
  year: YearPolicy
  needles?: string[]
  keep?: RecordKeys
  format?: string
  malformedKeep?: number
}

export interface WorkerJob {
  id: number
  family: Family
  file: SourceFile
  opts: WorkerReadOptions
}

export type WorkerReply =
  | {type: 'progress'; id: number; bytes: number; lines: number}
  | {type: 'done'; id: number; result: SourceResult<unknown>; warnings: Warning[]}
  | {type: 'error'; id: number; message: string; warnings: Warning[]}

/**
 * The public ip:port pairs of a report: a NAT record is kept only when it can name one of them — same public
 * IP and port (or a port block holding the port), or a one-sided packet from that source port. Records that
 * merely contain a needle (the busy public IP with another port) are dropped as they are read, so memory
 * does not grow with the share of lines the byte pre-filter lets through.
 */
export interface RecordKeys {
  pairs: {ip: string | null; port: number}[]
}

/** Whether a NAT record can name one of the keys' ip:port pairs (what the engine and the index match on). */
export function matchesKeys(e: {kind: string; insidePort: number | null; outsideIp: string | null; outsidePort: number | null; outsidePortEnd: number | null}, keys: RecordKeys): boolean {
  for (const {ip, port} of keys.pairs) {
    if (e.kind === 'packet' && e.insidePort === port) return true
    if (ip !== null && e.outsideIp === ip && e.outsidePort !== null && port >= e.outsidePort && port <= (e.outsidePortEnd ?? e.outsidePort)) return true
  }
  return false
}

export interface ParallelOptions {
  family: Family
  /** keep only NAT records that can name these pairs (see RecordKeys); absent: every record read */
  keep?: RecordKeys
  /** year policy of each file */
  yearFor: (file: SourceFile) => YearPolicy
  zone?: string
  needles?: string[]
  format?: string
  onWarning?: (w: Warning) => void
  /** a file starts being read */
  onFile?: (file: SourceFile, index: number, total: number) => void
  /** bytes read from disk so far over all files, lines so far */
  onProgress?: (diskBytes: number, lines: number) => void
  /** worker count (default: available cores, at most 4); 1 = sequential */
  threads?: number
  /** below this many bytes on disk in all, read sequentially (worker start-up costs ~50 ms); default 32 MiB */
  minBytes?: number
}

const WORKER = fileURLToPath(new URL('./read-worker.js', import.meta.url))

/** Whether a parallel read would use workers for these files. */
export function wouldUseWorkers(files: SourceFile[], opts: Pick<ParallelOptions, 'threads' | 'minBytes'> = {}): boolean {
  const threads = opts.threads ?? Math.min(4, availableParallelism())
  const total = files.reduce((a, f) => a + f.size, 0)
  return threads > 1 && files.length > 1 && total >= (opts.minBytes ?? 32 * 1024 * 1024) && existsSync(WORKER)
}

export async function readSourcesParallel<T extends {time: number}>(
  files: SourceFile[],
  formats: readonly LineFormat<T>[],
  opts: ParallelOptions,
): Promise<SourceResult<T>[]> {
  if (!wouldUseWorkers(files, opts)) return readSequential(files, formats, opts)
  const threads = Math.min(opts.threads ?? Math.min(4, availableParallelism()), files.length)
  const results: (SourceResult<T> | undefined)[] = new Array(files.length)
  const pendingWarnings: (Warning[] | undefined)[] = new Array(files.length)
  const bytes = new Array<number>(files.length).fill(0)
  const lines = new Array<number>(files.length).fill(0)
  let flushed = 0 // files whose warnings were handed over (in order)
  let nextJob = 0
  const flush = () => {
    while (flushed < files.length && pendingWarnings[flushed]) {
      for (const w of pendingWarnings[flushed]!) opts.onWarning?.(w)
      pendingWarnings[flushed] = []
      flushed++
    }
  }
  const progress = () => opts.onProgress?.(bytes.reduce((a, b) => a + b, 0), lines.reduce((a, b) => a + b, 0))
  const workers: Worker[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0
      let failed = false
      const give = (w: Worker) => {
        if (nextJob >= files.length) return
        const id = nextJob++
        const file = files[id]!
        opts.onFile?.(file, id, files.length)
        const job: WorkerJob = {id, family: opts.family, file, opts: {zone: opts.zone, year: opts.yearFor(file), needles: opts.needles, format: opts.format, keep: opts.keep}}
        w.postMessage(job)
      }
      for (let i = 0; i < threads; i++) {
        // a small young generation: the 1 MiB chunks a read allocates are freed at once, not heaped up
        const w = new Worker(WORKER, {resourceLimits: {maxYoungGenerationSizeMb: 2}})
        workers.push(w)
        w.on('message', (m: WorkerReply) => {
          if (failed) return
          if (m.type === 'progress') {
            bytes[m.id] = m.bytes
            lines[m.id] = m.lines
            progress()
            return
          }
          if (m.type === 'error') {
            failed = true
            reject(new Error(m.message))
            return
          }
          results[m.id] = m.result as unknown as SourceResult<T>
          pendingWarnings[m.id] = m.warnings
          bytes[m.id] = files[m.id]!.size
          progress()
          flush()
          done++
          if (done === files.length) resolve()
          else give(w)
        })
        w.on('error', (e) => {
          if (failed) return
          failed = true
          reject(e)
        })
        give(w)
      }
    })
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  return results as SourceResult<T>[]
}

/** readSource, keeping only the records that match `keep` (all when absent). */
export async function readKept<T extends {time: number}>(file: SourceFile, formats: readonly LineFormat<T>[], so: SourceOptions<T>, keep?: RecordKeys): Promise<SourceResult<T>> {
  if (!keep) return readSource(file, formats, so)
  const kept: T[] = []
  // the keys' public addresses that records show (reply packets, translations), though not kept: one-sided
  // logs need them to confirm the reported address is ours
  const ips = new Set(keep.pairs.map((p) => p.ip).filter((ip): ip is string => ip !== null))
  const seen = new Set<string>()
  const r = await readSource(file, formats, {
    ...so,
    keepRecords: false,
    onRecord: (rec, by) => {
      if (matchesKeys(rec as unknown as Parameters<typeof matchesKeys>[0], keep)) kept.push(rec)
      const e = rec as unknown as {outsideIp?: string | null; srcIp?: string | null; dstIp?: string | null}
      for (const ip of [e.outsideIp, e.srcIp, e.dstIp]) if (ip && ips.has(ip)) seen.add(ip)
      so.onRecord?.(rec, by)
    },
  })
  return {...r, records: kept, seenIps: [...seen]}
}

async function readSequential<T extends {time: number}>(files: SourceFile[], formats: readonly LineFormat<T>[], opts: ParallelOptions): Promise<SourceResult<T>[]> {
  const out: SourceResult<T>[] = []
  let before = 0
  for (const [i, file] of files.entries()) {
    opts.onFile?.(file, i, files.length)
    const so: SourceOptions<T> = {
      zone: opts.zone,
      year: opts.yearFor(file),
      needles: opts.needles,
      format: opts.format,
      onWarning: opts.onWarning,
      onProgress: (b, l) => opts.onProgress?.(before + b, l),
    }
    out.push(await readKept(file, formats, so, opts.keep))
    before += file.size
  }
  return out
}
