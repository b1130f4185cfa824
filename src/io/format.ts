/**
 * The one interface every log source implements (NAT formats in src/nat/formats, lease formats in
 * src/lease/formats): recognise its lines, and turn them into the shared model types.
 */
import type {SourceFile} from '../model.js'
import type {Line} from './lines.js'
import type {TimeContext} from './time.js'

export interface ParseContext {
  file: SourceFile
  /** zone and year policy for zone-less / year-less stamps in this file */
  time: TimeContext
  /** report a line this format recognises as its own but cannot read (counted, first few listed) */
  malformed(line: Line, reason: string): void
  /** per-file scratch space for formats whose records span lines or pair lines */
  state: Record<string, unknown>
}

export interface LineFormat<T> {
  /** stable name, used by --format and in JSON */
  name: string
  description: string
  /** 0..1: how sure this format is that these first lines of a file are its own */
  detect(sample: string[]): number
  /** one line → record(s), or null for a line that is not a record of this format (noise, other daemons) */
  parse(line: Line, ctx: ParseContext): T | T[] | null
  /** end of file: records still open (multi-line formats) */
  flush?(ctx: ParseContext): T[]
  /**
   * true when every record is one line that contains the addresses it names, so lines can be skipped
   * by a substring pre-filter before parsing; false for multi-line records (lease blocks).
   */
  prefilter: boolean
  /**
   * with the pre-filter: how many lines after a matching line the parser also needs (a device that splits one
   * record over two syslog lines, e.g. MikroTik); default 0
   */
  prefilterAfter?: number
  /** with the pre-filter: whether the line before a matching line is needed too (the needle may sit in the second half) */
  prefilterBefore?: number
  /**
   * with the pre-filter: substrings of lines the parser needs whatever the needles (a CSV header that names
   * the columns of the rows after it)
   */
  prefilterKeep?: string[]
  /**
   * false when a file's rows are not in time order (a Kea lease journal, an LFC file sorted by address): a
   * pre-filtered read then cannot learn the file's span from its first and last lines and leaves it unknown
   */
  timeOrdered?: boolean
  /** the zone the format defines for its zone-less stamps (dhcpd.leases: UTC); absent: the user's/system zone */
  fixedZone?: string
}

/** Picks the format with the highest detection score (≥ 0.5) for a sample; undefined when none claims it. */
export function detectFormat<T>(formats: readonly LineFormat<T>[], sample: string[]): {format: LineFormat<T>; score: number} | undefined {
  let best: {format: LineFormat<T>; score: number} | undefined
  for (const f of formats) {
    const score = f.detect(sample)
    if (score >= 0.5 && (!best || score > best.score)) best = {format: f, score}
  }
  return best
}

/** Share of non-empty sample lines matching a test: the usual detect() body. */
export function shareMatching(sample: string[], test: (line: string) => boolean): number {
  const lines = sample.filter((l) => l.trim().length > 0)
  if (lines.length === 0) return 0
  let n = 0
  for (const l of lines) if (test(l)) n++
  return n / lines.length
}
