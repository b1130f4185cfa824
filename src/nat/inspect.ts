/**
 * The logic behind `natrace logs inspect|parse`: read NAT / firewall logs through the NAT formats, describe
 * each file (format, zone, time range, line counts, malformed lines, warnings) and stream normalised events
 * as flat rows. Commands only parse flags and render. Records are streamed, never collected.
 */
import type {Assumption, NatEvent, NatKind, ZoneHow} from '../model.js'
import {UsageError, formatWarning, type Warning} from '../io/errors.js'
import {readAll} from '../io/inputs.js'
import {stripControls} from '../io/sanitize.js'
import type {SourceResult} from '../io/source.js'
import {ZoneError, formatInZone, isoUtc, toZone, type YearPolicy} from '../io/time.js'
import {natFormats} from './registry.js'

export interface NatReadOptions {
  /** zone of stamps that carry none (--log-tz); default the system zone */
  tz?: string
  /** force a format by name (--format) */
  format?: string
  year?: YearPolicy
  /** only lines containing one of these (pre-filter; line formats only) */
  needles?: string[]
}

function checkOptions(paths: string[], opts: NatReadOptions): void {
  if (paths.length === 0) throw new UsageError('no log given: pass one or more files or directories')
  if (opts.tz !== undefined) {
    try {
      toZone(opts.tz)
    } catch (e) {
      throw new UsageError(`--log-tz: ${e instanceof ZoneError ? e.message : String(e)}`)
    }
  }
  if (opts.format && !natFormats.some((f) => f.name === opts.format))
    throw new UsageError(`unknown NAT log format "${opts.format}": one of ${natFormats.map((f) => f.name).join(', ')}`)
}

/** One normalised event as `natrace logs parse --json` prints it (NDJSON row). */
/** One line of `natrace logs parse --json`: a NatEvent with its times as ISO strings and where it was read. */
export interface NatEventRow
  extends Pick<NatEvent, 'kind' | 'protocol' | 'insideIp' | 'insidePort' | 'outsideIp' | 'outsidePort' | 'outsidePortEnd' | 'destIp' | 'destPort' | 'subscriber'> {
  file: string
  line: number
  format: string | null
  time: string
  end: string | null
}

export function natEventRow(e: NatEvent, format: string | null): NatEventRow {
  return {
    file: e.evidence.file,
    line: e.evidence.line,
    format,
    kind: e.kind,
    time: isoUtc(e.time),
    end: e.end === null || !Number.isFinite(e.end) ? null : isoUtc(e.end),
    protocol: e.protocol,
    insideIp: e.insideIp,
    insidePort: e.insidePort,
    outsideIp: e.outsideIp,
    outsidePort: e.outsidePort,
    outsidePortEnd: e.outsidePortEnd,
    destIp: e.destIp,
    destPort: e.destPort,
    subscriber: e.subscriber,
  }
}

/** Whether an event names an address (any side, or the packet's src/dst). */
export function eventHasIp(e: NatEvent, ips: ReadonlySet<string>): boolean {
  return (
    (e.insideIp !== null && ips.has(e.insideIp)) ||
    (e.outsideIp !== null && ips.has(e.outsideIp)) ||
    (e.destIp !== null && ips.has(e.destIp)) ||
    (e.srcIp != null && ips.has(e.srcIp)) ||
    (e.dstIp != null && ips.has(e.dstIp))
  )
}

export interface StreamResult {
  files: {file: string; format: string | null; zone: string; zoneHow: ZoneHow; records: number; malformed: number; malformedFirst: {line: number; reason: string}[]}[]
  warnings: string[]
}

/**
 * Reads the logs and hands every event to `onEvent` as it is parsed (the file's detected format, or the
 * format that read the line in a mixed file). Nothing is collected.
 */
export async function streamNatEvents(paths: string[], opts: NatReadOptions, onEvent: (e: NatEvent, format: string | null) => void): Promise<StreamResult> {
  checkOptions(paths, opts)
  const read = await readAll<NatEvent>(paths, 'NAT log', natFormats, {
    zone: opts.tz,
    format: opts.format,
    needles: opts.needles,
    year: opts.year,
    keepRecords: false,
    onRecord: (r, by) => onEvent(r, by || null),
  })
  return {
    files: read.results.map((r) => ({
      file: r.file.display,
      format: r.format,
      zone: r.zone.zone,
      zoneHow: r.zone.how,
      records: r.recordCount,
      malformed: r.malformed.count,
      malformedFirst: r.malformed.first,
    })),
    warnings: read.warnings.map(formatWarning),
  }
}

export interface NatInspectStamp {
  /** ISO-8601 UTC */
  utc: string
  /** the instant in the zone the file was read in ("2026-03-03 21:14:02 -03:00 (America/Sao_Paulo)") */
  local: string
  /** the line holding it, as written */
  line: number
  text: string
}

export interface NatInspectFile {
  file: string
  format: string | null
  compressed: string | null
  /** the zone zone-less stamps were read in, and why */
  zone: string
  zoneHow: ZoneHow
  zoneNote: string
  first: NatInspectStamp | null
  last: NatInspectStamp | null
  records: number
  /** records per kind */
  kinds: Partial<Record<NatKind, number>>
  /** lines that gave records */
  parsedLines: number
  /** lines that are not records of the format (other daemons, headers, noise) */
  ignoredLines: number
  /** lines the format recognises as its own but cannot read */
  malformed: number
  malformedLines: number[]
  malformedFirst: {line: number; reason: string}[]
  /** years chosen for year-less syslog stamps */
  years: number[]
  /** lines in a repeated daylight-saving hour (resolved by line order) / in a skipped hour */
  dstRepeated: number
  dstGap: number
  warnings: string[]
  /** why nothing was read, when nothing was */
  skipped?: string
}

export interface NatInspectResult {
  files: NatInspectFile[]
  assumptions: Assumption[]
  warnings: string[]
}

function zoneNote(how: ZoneHow, zone: string, tzGiven: boolean): string {
  switch (how) {
    case 'flag':
      return `stamps without a zone read in ${zone} (--log-tz)`
    case 'format':
      return `stamps are ${zone} by definition of the format`
    case 'system':
      return `stamps without a zone read in ${zone}, the system zone (${tzGiven ? '' : 'no --log-tz given; '}pass --log-tz if the device logs in another zone)`
    default:
      return `stamps read in ${zone} (${how})`
  }
}

export async function inspectNatLogs(paths: string[], opts: NatReadOptions = {}): Promise<NatInspectResult> {
  checkOptions(paths, opts)
  // per file (readAll reads one file at a time): extremes and kinds, without keeping the records
  type Acc = {first: NatEvent | null; last: NatEvent | null; kinds: Partial<Record<NatKind, number>>}
  const accs: Acc[] = []
  let cur: Acc = {first: null, last: null, kinds: {}}
  const read = await readAll<NatEvent>(paths, 'NAT log', natFormats, {
    zone: opts.tz,
    format: opts.format,
    year: opts.year,
    keepRecords: false,
    onFile: () => {
      cur = {first: null, last: null, kinds: {}}
      accs.push(cur)
    },
    onRecord: (e) => {
      if (!cur.first || e.time < cur.first.time) cur.first = e
      if (!cur.last || e.time > cur.last.time) cur.last = e
      cur.kinds[e.kind] = (cur.kinds[e.kind] ?? 0) + 1
    },
  })
  const byFile = new Map<string, Warning[]>()
  for (const w of read.warnings) {
    const l = byFile.get(w.file) ?? []
    l.push(w)
    byFile.set(w.file, l)
  }
  const tzGiven = opts.tz !== undefined
  const stamp = (e: NatEvent | null, r: SourceResult<NatEvent>): NatInspectStamp | null =>
    e ? {utc: isoUtc(e.time), local: formatInZone(e.time, r.zone.zone), line: e.evidence.line, text: e.evidence.text} : null
  const files = read.results.map((r, i): NatInspectFile => {
    const acc = accs[i] ?? {first: null, last: null, kinds: {}}
    const warnings = (byFile.get(r.file.display) ?? []).map(formatWarning)
    const f: NatInspectFile = {
      file: r.file.display,
      format: r.format,
      compressed: r.file.compressed,
      zone: r.zone.zone,
      zoneHow: r.zone.how,
      zoneNote: zoneNote(r.zone.how, r.zone.zone, tzGiven),
      first: stamp(acc.first, r),
      last: stamp(acc.last, r),
      records: r.recordCount,
      kinds: acc.kinds,
      parsedLines: r.parsedLines,
      ignoredLines: Math.max(0, r.ignoredLines - r.malformed.count),
      malformed: r.malformed.count,
      malformedLines: r.malformed.lines,
      malformedFirst: r.malformed.first,
      years: r.years,
      dstRepeated: r.dstRepeated,
      dstGap: r.dstGap,
      warnings,
    }
    if (r.recordCount === 0)
      f.skipped = r.format === null ? 'no known NAT / firewall log format recognised' : `recognised as ${r.format} but no record could be read`
    return f
  })
  const assumptions: Assumption[] = []
  for (const f of files) {
    if (f.records === 0) continue
    assumptions.push({kind: 'log-zone', file: f.file, text: `${f.file} (${f.format}): ${f.zoneNote}`})
    if (f.years.length) assumptions.push({kind: 'syslog-year', file: f.file, text: `${f.file}: syslog stamps carry no year; read as ${f.years.join(', ')} (from the file's modification time)`})
    if (f.dstRepeated) assumptions.push({kind: 'dst-ambiguous', file: f.file, text: `${f.file}: ${f.dstRepeated} line(s) fall in a repeated daylight-saving hour, resolved by line order`})
  }
  return {files, assumptions, warnings: read.warnings.map(formatWarning)}
}

/** Text form of `logs inspect` (untrusted log text stripped of terminal controls). */
export function renderNatInspect(r: NatInspectResult): string {
  const out: string[] = []
  for (const f of r.files) {
    out.push(`${stripControls(f.file)}${f.compressed ? ` (${f.compressed})` : ''}`)
    out.push(`  format:    ${f.format ?? '-'}${f.skipped ? `  (${f.skipped})` : ''}`)
    out.push(`  zone:      ${f.zoneNote}`)
    if (f.first && f.last) {
      out.push(`  first:     ${f.first.utc}  = ${f.first.local}  (line ${f.first.line})`)
      out.push(`             ${stripControls(f.first.text).slice(0, 200)}`)
      out.push(`  last:      ${f.last.utc}  = ${f.last.local}  (line ${f.last.line})`)
      out.push(`             ${stripControls(f.last.text).slice(0, 200)}`)
    }
    const kinds = Object.entries(f.kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')
    out.push(`  records:   ${f.records}${kinds ? ` (${kinds})` : ''}`)
    out.push(`  lines:     ${f.parsedLines} parsed, ${f.ignoredLines} ignored, ${f.malformed} malformed`)
    for (const m of f.malformedFirst) out.push(`  malformed: line ${m.line}: ${stripControls(m.reason)}`)
    if (f.years.length) out.push(`  years:     syslog stamps read as ${f.years.join(', ')}`)
    if (f.dstRepeated) out.push(`  dst:       ${f.dstRepeated} line(s) in a repeated daylight-saving hour (resolved by line order)`)
    for (const w of f.warnings) out.push(`  warning:   ${stripControls(w)}`)
    out.push('')
  }
  return out.join('\n').trimEnd()
}
