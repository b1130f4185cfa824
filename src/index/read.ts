/**
 * Reading one file for the index: which family it belongs to (NAT log or lease source, by format detection),
 * then every record through readSource (no pre-filter), each turned into a row.
 */
import type {LeaseEvent, NatEvent, SourceFile, ZoneHow} from '../model.js'
import type {Warning} from '../io/errors.js'
import {detectFormat} from '../io/format.js'
import {mtimeYearPolicy} from '../io/inputs.js'
import {headSample} from '../io/head.js'
import {readSource} from '../io/source.js'
import {natFormats} from '../nat/registry.js'
import {leaseFormats} from '../lease/registry.js'
import {leaseRow, type NatParquet} from './rows.js'

export interface IndexJob {
  id: number
  fileId: number
  file: SourceFile
  /** the temporary TSV the lease rows are appended to (shared by the jobs of one load batch) */
  leaseTsv: string
  /** the Parquet file the NAT rows are written to (the file's own, renamed when its batch commits) */
  natFile: string
  logTz?: string
  dhcpTz?: string
  natFormat?: string
  leaseFormat?: string
}

export interface IndexJobResult {
  family: 'nat' | 'lease' | null
  format: string | null
  zone: string
  zoneHow: ZoneHow
  years: number[]
  firstMs: number | null
  lastMs: number | null
  records: number
  lines: number
  malformed: number
  dstRepeated: number
  dstGap: number
  /** NAT rows were written (natFile) */
  natRows: boolean
  /** the range of the NAT rows' `time` (null: no rows, or none whose time is a number) */
  natTime: {min: number; max: number} | null
  /** the records at the ends of the file's time span (their lines are read again for yearless stamps) */
  firstLine: {line: number; text: string} | null
  lastLine: {line: number; text: string} | null
  warnings: Warning[]
}

/** What familyOf read of a file's first lines: readSource takes them instead of reading and detecting again. */
export interface Head {
  sample?: string[]
  /** the family's format detected in the sample (absent: none, or a mixed syslog read line by line) */
  format?: string
}

/** NAT log or lease source: the family whose formats recognise the file's first lines better; with those lines. */
export async function familyOf(job: IndexJob): Promise<{family: 'nat' | 'lease' | null} & Head> {
  if (job.natFormat && !job.leaseFormat) return {family: 'nat'}
  if (job.leaseFormat && !job.natFormat) return {family: 'lease'}
  const sample = await headSample(job.file, 200)
  const nat = detectFormat(natFormats, sample)
  const lease = detectFormat(leaseFormats, sample)
  if (!nat && !lease) {
    // mixed syslog: whichever family's line formats read any of the sample lines
    const ctxFree = (fs: typeof natFormats | typeof leaseFormats) => fs.some((f) => f.prefilter && sample.some((l) => f.detect([l]) > 0))
    return {family: ctxFree(natFormats) ? 'nat' : ctxFree(leaseFormats) ? 'lease' : null, sample}
  }
  return (nat?.score ?? 0) >= (lease?.score ?? 0) ? {family: 'nat', sample, format: nat?.format.name} : {family: 'lease', sample, format: lease?.format.name}
}

/** NAT records to `nat`, lease rows (text) to `lease`. */
export async function readIndexFile(job: IndexJob, family: 'nat' | 'lease' | null, out: {nat: NatParquet; lease: (rows: string) => void}, head: Head = {}): Promise<IndexJobResult> {
  const warnings: Warning[] = []
  const base = {family, natRows: false, natTime: null, years: [], firstMs: null, lastMs: null, records: 0, lines: 0, malformed: 0, dstRepeated: 0, dstGap: 0, firstLine: null, lastLine: null, warnings}
  if (family === null) return {...base, format: null, zone: 'UTC', zoneHow: 'system' as ZoneHow}
  // the records at the ends of the span (kept as they are: parsers return a new record each time)
  type Rec = {time: number; evidence: {line: number; text: string}}
  let lo: Rec | null = null
  let hi: Rec | null = null
  const ends = (e: Rec) => {
    if (!lo || e.time < lo.time) lo = e
    if (!hi || e.time > hi.time) hi = e
  }
  const common = {year: mtimeYearPolicy(job.file), keepRecords: false, sample: head.sample, onWarning: (w: Warning) => warnings.push(w)}
  const r =
    family === 'nat'
      ? await readSource<NatEvent>(job.file, natFormats, {...common, zone: job.logTz, format: job.natFormat ?? head.format, onRecord: (e) => (ends(e), out.nat.add(e))})
      : await readSource<LeaseEvent>(job.file, leaseFormats, {...common, zone: job.dhcpTz ?? job.logTz, format: job.leaseFormat ?? head.format, onRecord: (e) => (ends(e), out.lease(leaseRow(job.fileId, e)))})
  out.nat.close()
  return {
    family: r.format === null && r.recordCount === 0 ? null : family,
    format: r.format,
    natRows: out.nat.written,
    natTime: out.nat.timeRange,
    zone: r.zone.zone,
    zoneHow: r.zone.how,
    years: r.years,
    firstMs: r.spanFirstMs,
    lastMs: r.spanLastMs,
    records: r.recordCount,
    lines: r.parsedLines + r.ignoredLines + r.malformed.count,
    malformed: r.malformed.count,
    dstRepeated: r.dstRepeated,
    dstGap: r.dstGap,
    firstLine: lo === null ? null : {line: (lo as Rec).evidence.line, text: (lo as Rec).evidence.text},
    lastLine: hi === null ? null : {line: (hi as Rec).evidence.line, text: (hi as Rec).evidence.text},
    warnings,
  }
}
