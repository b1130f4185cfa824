/**
 * The logic behind `natrace leases who|inspect|parse`: read lease sources, answer "who held IP at T" with
 * evidence, describe files, and flatten events to NDJSON rows. Commands only parse flags and render.
 */
import type {Assumption, Evidence, HoldingPeriod, InputSummary, LeaseEvent, ZoneDecision} from '../model.js'
import {UsageError, formatWarning} from '../io/errors.js'
import {readAll, summarize, type ReadAllResult} from '../io/inputs.js'
import {canonicalIp} from '../io/net.js'
import {ZoneError, instantsOf, isoUtc, parseOffset, systemZone, toZone, formatInZone, type YearPolicy} from '../io/time.js'
import type {SourceResult} from '../io/source.js'
import {buildHoldings, DEFAULT_ASSUMED_LEASE_MS, DEFAULT_GRACE_MS, type HoldingOptions} from './holdings.js'
import {leaseFormats} from './registry.js'
import {zoneHints} from './consistency.js'

export interface LeaseReadOptions {
  /** zone of lease-log stamps without one (--dhcp-tz); default the system zone */
  tz?: string
  /** force a format by name */
  format?: string
  /** only lines containing one of these (line formats only) */
  needles?: string[]
  year?: YearPolicy
}

/** Validates a zone flag: a usage error (exit 2) naming the flag when unknown. */
export function checkZone(zone: string | undefined, flag: string): void {
  if (zone === undefined) return
  try {
    toZone(zone)
  } catch (e) {
    throw new UsageError(`${flag}: ${e instanceof ZoneError ? e.message : String(e)}`)
  }
}

/** --year Y: every year-less stamp is read in Y (a file spanning New Year needs the mtime default instead) */
export function yearPolicy(year: number | undefined): YearPolicy | undefined {
  if (year === undefined) return undefined
  return {anchorMs: Date.UTC(year, 11, 30), mode: 'not-after', anchorWhat: `--year ${year}`}
}

export async function readLeaseSources(paths: string[], opts: LeaseReadOptions = {}): Promise<ReadAllResult<LeaseEvent>> {
  if (paths.length === 0) throw new UsageError('no lease source given: pass --dhcp PATH (file or directory)')
  checkZone(opts.tz, '--dhcp-tz')
  if (opts.format && !leaseFormats.some((f) => f.name === opts.format))
    throw new UsageError(`unknown lease format "${opts.format}": one of ${leaseFormats.map((f) => f.name).join(', ')}`)
  return readAll<LeaseEvent>(paths, 'lease source', leaseFormats, {zone: opts.tz, format: opts.format, needles: opts.needles, year: opts.year})
}

export interface ParsedInstant {
  ms: number
  /** the other instant of a wall time in a repeated DST hour */
  alt?: number
  zone: ZoneDecision
  /** sentence for the output */
  note: string
}

/**
 * "2013-06-18T15:53:34-03:00", "2013-06-18 15:53:34Z", "2013-06-18T15:53:34" (zone-less: read in `tz`, else
 * the system zone, and said so), "1371581614" (epoch seconds).
 */
export function parseInstant(text: string, tz: string | undefined, tzFlag = '--dhcp-tz'): ParsedInstant {
  const t = text.trim()
  if (/^\d{9,10}(\.\d+)?$/.test(t)) {
    const ms = Math.round(Number(t) * 1000)
    return {ms, zone: {zone: 'UTC', how: 'epoch'}, note: `--at ${t} read as epoch seconds = ${isoUtc(ms)}`}
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i.exec(t)
  if (!m) throw new UsageError(`--at "${text}": not a time; use ISO-8601 such as 2013-06-18T15:53:34-03:00 (or without zone, read in ${tzFlag})`)
  const w = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0), millisecond: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0,
  }
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60)
    throw new UsageError(`--at "${text}": not a valid date/time`)
  if (m[8]) {
    const off = /^(z|utc|gmt)$/i.test(m[8]) ? 0 : parseOffset(m[8])
    if (off === undefined) throw new UsageError(`--at "${text}": bad UTC offset`)
    const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - off * 60_000
    return {ms, zone: {zone: m[8].toUpperCase() === 'Z' ? 'UTC' : m[8], how: 'stated'}, note: `--at states its zone: ${isoUtc(ms)}`}
  }
  checkZone(tz, tzFlag)
  const zone: ZoneDecision = tz ? {zone: tz, how: 'flag'} : {zone: systemZone(), how: 'system'}
  const c = instantsOf(w, toZone(zone.zone))
  const why = zone.how === 'flag' ? `${tzFlag} ${zone.zone}` : `the system zone ${zone.zone} (no ${tzFlag} given)`
  if (c.length === 0) throw new UsageError(`--at "${text}" does not exist in ${zone.zone} (skipped by a daylight-saving change); give an offset`)
  const ms = c[0]!
  const note = `--at ${t} has no zone: read in ${why} = ${isoUtc(ms)}`
  if (c.length > 1)
    return {ms, alt: c[c.length - 1], zone, note: `${note}; that wall time occurs twice in ${zone.zone} (daylight-saving change): also checked ${isoUtc(c[c.length - 1]!)}`}
  return {ms, zone, note}
}

export interface WhoOptions extends HoldingOptions {
  ip: string
  at: string
  paths: string[]
  tz?: string
  format?: string
}

export interface WhoHolder {
  mac: string | null
  hostname: string | null
  subscriber: string | null
  start: string
  /** null: no end (ends never / open static entry) */
  end: string | null
  endHow: string
  /** how many records support the holding */
  evidenceCount: number
  /** the records (for `history`: only the first and the last) */
  evidence: Evidence[]
}

export interface WhoResult {
  ip: string
  at: string
  /** the --at instant as read, in the zone it was read in */
  atAsRead: string
  status: 'attributed' | 'ambiguous' | 'not-found'
  mac: string | null
  hostname: string | null
  subscriber: string | null
  reason: string
  inGrace: boolean
  holders: WhoHolder[]
  /** every holding of this IP the sources show, oldest first (context for the operator) */
  history: WhoHolder[]
  assumptions: Assumption[]
  inputs: InputSummary[]
  warnings: string[]
}

function holderOut(p: HoldingPeriod, brief = false): WhoHolder {
  const ev = brief && p.evidence.length > 2 ? [p.evidence[0]!, p.evidence[p.evidence.length - 1]!] : p.evidence
  return {
    mac: p.mac, hostname: p.hostname, subscriber: p.subscriber, start: isoUtc(p.start),
    end: Number.isFinite(p.end) ? isoUtc(p.end) : null, endHow: p.endHow, evidenceCount: p.evidence.length, evidence: ev,
  }
}

/** Assumptions about the zones and years each file was read with. */
export function readAssumptions(results: SourceResult<LeaseEvent>[], tzGiven: boolean): Assumption[] {
  const out: Assumption[] = []
  for (const r of results) {
    if (r.format === null) continue
    const file = r.file.display
    if (r.zone.how === 'format') out.push({kind: 'lease-zone', file, text: `${file} (${r.format}): times are ${r.zone.zone} by definition of the format`})
    else if (r.zone.how === 'flag') out.push({kind: 'lease-zone', file, text: `${file} (${r.format}): times without a zone read in ${r.zone.zone} (--dhcp-tz)`})
    else out.push({kind: 'lease-zone', file, text: `${file} (${r.format}): times without a zone read in ${r.zone.zone}, the system zone (${tzGiven ? '' : 'no --dhcp-tz given; '}pass --dhcp-tz if the server logs in another zone)`})
    if (r.years.length) out.push({kind: 'syslog-year', file, text: `${file}: syslog stamps carry no year; read as ${r.years.join(', ')}`})
    if (r.dstRepeated) out.push({kind: 'dst-ambiguous', file, text: `${file}: ${r.dstRepeated} line(s) fall in a repeated daylight-saving hour, resolved by line order`})
  }
  return out
}

export async function whoHeld(o: WhoOptions): Promise<WhoResult> {
  const ip = canonicalIp(o.ip)
  if (!ip) throw new UsageError(`"${o.ip}" is not an IP address`)
  const at = parseInstant(o.at, o.tz)
  const read = await readLeaseSources(o.paths, {
    tz: o.tz,
    format: o.format,
    // prefilter on the address as written; IPv6 may be written in other forms, so read everything then
    needles: ip.includes(':') ? undefined : [ip],
    year: {anchorMs: at.ms, mode: 'nearest', anchorWhat: 'the --at time'},
  })
  const events = read.results.flatMap((r) => r.records).filter((e) => e.ip === ip)
  const holdings = buildHoldings(events, {graceMs: o.graceMs, assumedLeaseMs: o.assumedLeaseMs})
  let look: {holders: HoldingPeriod[]; reason: string; inGrace?: boolean} = holdings.lookup(ip, at.ms)
  const assumptions: Assumption[] = [{kind: 'at-zone', text: at.note}]
  let dstSplit = false
  if (at.alt !== undefined) {
    const other = holdings.lookup(ip, at.alt)
    const key = (l: {holders: HoldingPeriod[]}) => l.holders.map((h) => `${h.mac}|${h.subscriber}|${h.start}`).sort().join(',')
    if (key(other) !== key(look)) {
      // the two readings of a repeated hour disagree: we cannot tell which instant the operator means
      dstSplit = true
      const holders = [...new Set([...look.holders, ...other.holders])]
      look = {holders, reason: `the wall time --at ${o.at} names two instants in ${at.zone.zone}; at ${isoUtc(at.ms)}: ${look.reason}; at ${isoUtc(at.alt)}: ${other.reason}`}
    }
  }
  const identified = look.holders.filter((h) => h.mac || h.subscriber)
  let status: WhoResult['status']
  if (look.holders.length > 1) status = 'ambiguous'
  else if (!dstSplit && look.holders.length === 1 && identified.length === 1) status = 'attributed'
  else status = 'not-found'
  let reason = look.reason
  if (status === 'not-found' && look.holders.length === 1 && !dstSplit) reason = `${reason}; no client can be named`
  const single = status === 'attributed' ? look.holders[0]! : null
  const opt = holdings.options
  if (events.some((e) => e.leaseEnd === null && (e.event === 'assign' || e.event === 'renew' || e.event === 'start' || e.event === 'interim')))
    assumptions.push({kind: 'assumed-lease', text: `some grants state no lease time: assumed ${opt.assumedLeaseMs / 60_000} min after the last grant${opt.assumedLeaseMs === DEFAULT_ASSUMED_LEASE_MS ? ' (default; --assumed-lease to change)' : ''}`})
  assumptions.push({kind: 'lease-grace', text: `a client is still taken as the holder for ${opt.graceMs / 60_000} min after its lease ended (not after a release)${opt.graceMs === DEFAULT_GRACE_MS ? ' (default; --grace to change)' : ''}`})
  assumptions.push(...readAssumptions(read.results, o.tz !== undefined))
  const warnings = read.warnings.map(formatWarning)
  for (const r of read.results) if (r.format === null) warnings.push(`${r.file.display}: no known lease format recognised in this file: not used (see \`natrace leases inspect\`)`)
  for (const h of zoneHints(read.results)) warnings.push(h.text)
  return {
    ip,
    at: isoUtc(at.ms),
    atAsRead: formatInZone(at.ms, at.zone.zone),
    status,
    mac: single?.mac ?? null,
    hostname: single?.hostname ?? null,
    subscriber: single?.subscriber ?? null,
    reason,
    inGrace: look.inGrace === true,
    holders: look.holders.map((p) => holderOut(p)),
    history: holdings.periods(ip).slice().sort((a, b) => a.start - b.start).map((p) => holderOut(p, true)),
    assumptions,
    inputs: read.results.map(summarize),
    warnings,
  }
}

export interface InspectFile extends InputSummary {
  counts: Record<string, number>
  ips: number
  macs: number
  ignoredLines: number
  malformedFirst: {line: number; reason: string}[]
  years: number[]
}

export interface InspectResult {
  files: InspectFile[]
  assumptions: Assumption[]
  warnings: string[]
}

export async function inspectLeases(paths: string[], opts: LeaseReadOptions = {}): Promise<InspectResult> {
  const read = await readLeaseSources(paths, opts)
  const files = read.results.map((r): InspectFile => {
    const counts: Record<string, number> = {}
    const ips = new Set<string>()
    const macs = new Set<string>()
    for (const e of r.records) {
      counts[e.event] = (counts[e.event] ?? 0) + 1
      ips.add(e.ip)
      if (e.mac) macs.add(e.mac)
    }
    return {
      ...summarize(r),
      ...(r.format === null ? {skipped: 'no known lease format recognised'} : {}),
      counts, ips: ips.size, macs: macs.size, ignoredLines: r.ignoredLines,
      malformedFirst: r.malformed.first, years: r.years,
    }
  })
  return {files, assumptions: readAssumptions(read.results, opts.tz !== undefined), warnings: [...read.warnings.map(formatWarning), ...zoneHints(read.results).map((h) => h.text)]}
}

export interface ParseRow {
  file: string
  line: number
  format: string | null
  event: string
  time: string
  ip: string
  mac: string | null
  hostname: string | null
  subscriber: string | null
  leaseEnd: string | null
}

export function eventRow(e: LeaseEvent, format: string | null): ParseRow {
  return {
    file: e.evidence.file, line: e.evidence.line, format, event: e.event, time: isoUtc(e.time), ip: e.ip, mac: e.mac,
    hostname: e.hostname, subscriber: e.subscriber, leaseEnd: e.leaseEnd === null || !Number.isFinite(e.leaseEnd) ? null : isoUtc(e.leaseEnd),
  }
}

