/**
 * Reads one log file through the formats of a family (NAT or lease): detects the format from the first
 * lines, streams the file (pre-filtered when the format allows), and returns the records with counts,
 * time range, the zone decision and warnings. Vendor-blind: it only knows the LineFormat interface.
 */
import type {SourceFile, ZoneDecision} from '../model.js'
import type {Warning} from './errors.js'
import {detectFormat, type LineFormat, type ParseContext} from './format.js'
import {readLines, type Line} from './lines.js'
import {headSample} from './head.js'
import {TimeContext, systemZone, type YearPolicy} from './time.js'

export interface SourceOptions<T = unknown> {
  /** zone for zone-less stamps (user's --log-tz); absent → system zone */
  zone?: string
  year: YearPolicy
  /** pre-filter substrings (only used for formats that allow it) */
  needles?: string[]
  /** force a format by name */
  format?: string
  onWarning?: (w: Warning) => void
  onProgress?: (diskBytes: number, lines: number) => void
  /** keep at most this many malformed line numbers per file */
  malformedKeep?: number
  /** called with each record as it is read, with the name of the format that read it (streaming consumers) */
  onRecord?: (record: T, format: string) => void
  /** false: do not collect records in `records` (use onRecord); default true */
  keepRecords?: boolean
  /** the file's first lines (headSample(file, 200)) when the caller has already read them */
  sample?: string[]
}

export interface SourceResult<T> {
  file: SourceFile
  /** detected format name, "mixed" when lines of several formats are read line by line, null when none */
  format: string | null
  records: T[]
  zone: ZoneDecision
  /** years chosen for year-less stamps */
  years: number[]
  /** lines in a repeated DST hour (resolved by order) and in a DST gap */
  dstRepeated: number
  dstGap: number
  parsedLines: number
  /** lines handed to the parsers that were not records (noise) */
  ignoredLines: number
  malformed: {count: number; lines: number[]; first: {line: number; reason: string}[]}
  /** whether a substring pre-filter was applied (then ignoredLines excludes the skipped lines) */
  prefiltered: boolean
  firstMs: number | null
  lastMs: number | null
  /** records read (equals records.length unless keepRecords was false) */
  recordCount: number
  /**
   * time span of the whole file (first and last line this format reads), also when the read was pre-filtered
   * and most lines were never parsed: tells whether the file covers an instant at all
   */
  spanFirstMs: number | null
  spanLastMs: number | null
  /** with a record filter (src/io/parallel.ts readKept): the filter's addresses that records showed */
  seenIps?: string[]
}

interface Timed {
  time: number
}

export async function readSource<T extends Timed>(
  file: SourceFile,
  formats: readonly LineFormat<T>[],
  opts: SourceOptions<T>,
): Promise<SourceResult<T>> {
  const sample = opts.sample ?? (await headSample(file, 200))
  let chosen: LineFormat<T>[] = []
  let formatName: string | null = null
  if (opts.format) {
    const f = formats.find((x) => x.name === opts.format)
    if (!f) throw new Error(`unknown format "${opts.format}"`)
    chosen = [f]
    formatName = f.name
  } else {
    const d = detectFormat(formats, sample)
    if (d) {
      chosen = [d.format]
      formatName = d.format.name
    } else {
      // mixed syslog or a file that starts with other daemons' lines: try the line formats line by line
      chosen = formats.filter((f) => f.prefilter)
      formatName = null
    }
  }
  const fixed = chosen.length === 1 ? chosen[0]!.fixedZone : undefined
  const zone: ZoneDecision = fixed
    ? {zone: fixed, how: 'format'}
    : opts.zone
      ? {zone: opts.zone, how: 'flag'}
      : {zone: systemZone(), how: 'system'}
  const time = new TimeContext(zone, boundedYear(opts.year, file))
  const result: SourceResult<T> = {
    file,
    format: formatName,
    records: [],
    zone,
    years: [],
    dstRepeated: 0,
    dstGap: 0,
    parsedLines: 0,
    ignoredLines: 0,
    malformed: {count: 0, lines: [], first: []},
    prefiltered: false,
    firstMs: null,
    lastMs: null,
    recordCount: 0,
    spanFirstMs: null,
    spanLastMs: null,
  }
  const keep = opts.malformedKeep ?? 5
  const ctx: ParseContext = {
    file,
    time,
    state: {},
    malformed(line: Line, reason: string) {
      result.malformed.count++
      if (result.malformed.lines.length < keep) {
        result.malformed.lines.push(line.no)
        result.malformed.first.push({line: line.no, reason})
      }
    },
  }
  const usePrefilter = chosen.length > 0 && chosen.every((f) => f.prefilter) && (opts.needles?.length ?? 0) > 0
  result.prefiltered = usePrefilter
  const keepRecords = opts.keepRecords !== false
  let by = ''
  const push = (r: T) => {
    result.recordCount++
    if (keepRecords) result.records.push(r)
    opts.onRecord?.(r, by)
    if (result.firstMs === null || r.time < result.firstMs) result.firstMs = r.time
    if (result.lastMs === null || r.time > result.lastMs) result.lastMs = r.time
  }
  const used = new Set<string>()
  let tail: string[] = []
  if (chosen.length > 0) {
    for await (const batch of readLines(file, {
      needles: usePrefilter ? [...opts.needles!, ...chosen.flatMap((f) => f.prefilterKeep ?? [])] : undefined,
      after: usePrefilter ? Math.max(0, ...chosen.map((f) => f.prefilterAfter ?? 0)) : 0,
      before: usePrefilter ? Math.max(0, ...chosen.map((f) => f.prefilterBefore ?? 0)) : 0,
      onWarning: opts.onWarning,
      onProgress: opts.onProgress,
      onTail: usePrefilter ? (t) => (tail = t) : undefined,
    })) {
      for (const line of batch) {
        let got: T | T[] | null = null
        for (const f of chosen) {
          got = f.parse(line, ctx)
          if (got !== null) {
            used.add(f.name)
            by = f.name
            break
          }
        }
        if (got === null) {
          result.ignoredLines++
          continue
        }
        result.parsedLines++
        if (Array.isArray(got)) got.forEach(push)
        else push(got)
      }
    }
    for (const f of chosen) {
      by = f.name
      for (const r of f.flush?.(ctx) ?? []) push(r)
    }
  }
  if (usePrefilter) {
    // rows out of time order: the first and last lines bound nothing, and the rows between were not read
    const span = chosen.some((f) => f.timeOrdered === false) ? {first: null, last: null} : probeSpan(file, chosen, zone, boundedYear(opts.year, file), sample, tail)
    result.spanFirstMs = span.first
    result.spanLastMs = span.last
  } else {
    result.spanFirstMs = result.firstMs
    result.spanLastMs = result.lastMs
  }
  if (formatName === null && used.size > 0) formatName = used.size === 1 ? [...used][0]! : 'mixed'
  result.years = [...time.yearsUsed].sort()
  result.dstRepeated = time.clock.repeated
  result.dstGap = time.clock.gaps
  return result
}

/** First and last instants of a file from its first and last lines, parsed on a throwaway context. */
function probeSpan<T extends Timed>(
  file: SourceFile,
  formats: readonly LineFormat<T>[],
  zone: ZoneDecision,
  year: YearPolicy,
  head: string[],
  tail: string[],
): {first: number | null; last: number | null} {
  const timeOf = (lines: string[], fromEnd: boolean): number | null => {
    const ctx: ParseContext = {file, time: new TimeContext(zone, year), state: {}, malformed() {}}
    const order = fromEnd ? [...lines].reverse() : lines
    for (const [i, text] of order.entries()) {
      for (const f of formats) {
        let got: T | T[] | null = null
        try {
          got = f.parse({no: i + 1, text}, ctx)
        } catch {
          got = null
        }
        const r = Array.isArray(got) ? got[0] : got
        if (r && Number.isFinite(r.time)) return r.time
      }
    }
    return null
  }
  return {first: timeOf(head, false), last: timeOf(tail, true)}
}

/** A year policy that also keeps syslog lines from being dated after their file was last written (+1 day). */
export function boundedYear(year: YearPolicy, file: SourceFile): YearPolicy {
  // an mtime before 2000 is a broken copy, not a bound
  if (year.notAfterMs !== undefined || !(file.mtimeMs > Date.UTC(2000, 0, 1))) return year
  return {...year, notAfterMs: file.mtimeMs + 86_400_000}
}
