/**
 * Reads every file of a family (NAT logs or lease sources) given as user paths: expands directories,
 * detects formats per file, streams them, and summarises each file for the output (`inputs` in JSON).
 */
import type {InputSummary, SourceFile} from '../model.js'
import {expandInputs} from './files.js'
import type {Warning} from './errors.js'
import type {LineFormat} from './format.js'
import {readSource, type SourceOptions, type SourceResult} from './source.js'
import {isoUtc, type YearPolicy} from './time.js'

export interface ReadAllOptions<T = unknown> extends Omit<SourceOptions<T>, 'year'> {
  /** year policy for syslog stamps; default: the file's mtime, "not after" */
  year?: YearPolicy
  /** called before each file is read */
  onFile?: (file: SourceFile, index: number, total: number) => void
}

export interface ReadAllResult<T> {
  files: SourceFile[]
  results: SourceResult<T>[]
  warnings: Warning[]
}

/** The year policy that fits a file read without a report: its modification time is after its last line. */
export function mtimeYearPolicy(file: SourceFile): YearPolicy {
  return {anchorMs: file.mtimeMs, mode: 'not-after', anchorWhat: "the file's modification time"}
}

export async function readAll<T extends {time: number}>(
  paths: string[],
  what: string,
  formats: readonly LineFormat<T>[],
  opts: ReadAllOptions<T> = {},
): Promise<ReadAllResult<T>> {
  const warnings: Warning[] = []
  const files = await expandInputs(paths, what, warnings)
  for (const w of warnings) opts.onWarning?.(w)
  const results: SourceResult<T>[] = []
  for (const [i, file] of files.entries()) {
    opts.onFile?.(file, i, files.length)
    const r = await readSource(file, formats, {
      ...opts,
      year: opts.year ?? mtimeYearPolicy(file),
      onWarning: (w) => {
        warnings.push(w)
        opts.onWarning?.(w)
      },
    })
    results.push(r)
  }
  return {files, results, warnings}
}

/** The per-file line of `inputs` in the JSON output. */
export function summarize<T>(r: SourceResult<T>): InputSummary {
  return {
    file: r.file.display,
    format: r.format,
    zone: r.zone.zone,
    zoneHow: r.zone.how,
    firstTime: r.firstMs === null ? null : isoUtc(r.firstMs),
    lastTime: r.lastMs === null ? null : isoUtc(r.lastMs),
    records: r.records.length,
    malformed: r.malformed.count,
  }
}
