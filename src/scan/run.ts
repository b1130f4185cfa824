/**
 * One `natrace scan` run: NAT / firewall logs streamed through the detector (records never collected), then
 * the lease sources (pre-filtered on the inside addresses that were flagged) name the client behind each
 * inside source at the time of its first packet. `--follow` (follow.ts) feeds the same detector from growing
 * files and attributes each alert as it fires.
 */
import type {Assumption, Evidence, InputSummary, LeaseEvent, NatEvent} from '../model.js'
import type {YearPolicy} from '../io/time.js'
import {formatWarning, UsageError, type Warning} from '../io/errors.js'
import {readAll, summarize} from '../io/inputs.js'
import {CidrSet, canonicalIp, isInsideAddress} from '../io/net.js'
import {isoUtc, parseIso, systemZone, toZone, ZoneError} from '../io/time.js'
import {natFormats} from '../nat/registry.js'
import {leaseFormats} from '../lease/registry.js'
import {buildHoldings, type HoldingIndex} from '../lease/holdings.js'
import {ScanDetector} from './detector.js'
import {feeder, scanFormats, type ScanRecord} from './fastpath.js'
import type {Explanation, PortRange, RawDetection, ScanKind, ScanOptions} from './types.js'

export interface ScanRunOptions {
  natLogs: string[]
  dhcp: string[]
  logTz?: string
  dhcpTz?: string
  /** ISO-8601; zone-less read in --log-tz / the system zone */
  since?: string
  until?: string
  direction?: 'in' | 'out' | 'both'
  explain?: string
  ourNetworks?: string[]
  natFormat?: string
  leaseFormat?: string
  /** false: every line through the formats' full parsers (no scan fast path); for comparisons and tests */
  fastPath?: boolean
  /** detector thresholds and windows */
  detector?: Omit<ScanOptions, 'sinceMs' | 'untilMs' | 'direction' | 'explainIp' | 'isOurs' | 'onAlert'>
}

export interface ScanSource {
  ip: string
  mac: string | null
  hostname: string | null
  subscriber: string | null
  /** how the client was named: attributed (one holder), ambiguous, not-found, or outside (not one of our clients) */
  attribution: 'attributed' | 'ambiguous' | 'not-found' | 'outside'
  attributionReason: string
}

/** One detection as `natrace scan --json` writes it. */
export interface DetectionOut {
  kind: ScanKind
  direction: 'out' | 'in'
  dangerLevel: number
  source: ScanSource
  targets: {hosts: number; sampleHosts: string[]; ports: number[]; portCount: number; portRanges: PortRange[]}
  protocols: string[]
  packets: number
  firstSeen: string
  lastSeen: string
  signatures: string[]
  reason: string
  evidence: Evidence[]
  outcomes: RawDetection['outcomes']
  trw: {decided: 'scanner' | 'benign' | null; decidedAt: string | null; afterContacts: number | null; llr: number}
  tcpFlags?: RawDetection['tcpFlags']
}

export interface ExplanationOut {
  ip: string
  firstSeen: string | null
  lastSeen: string | null
  verdict: string
  reason: string
  metrics: Explanation['metrics']
}

export interface ScanResult {
  detections: DetectionOut[]
  explain?: {ip: string; windows: ExplanationOut[]}
  assumptions: Assumption[]
  inputs: {nat: InputSummary[]; leases: InputSummary[]}
  stats: {events: number; contacts: number; replies: number}
  warnings: string[]
}

function checkZone(flag: string, z: string | undefined): void {
  if (z === undefined) return
  try {
    toZone(z)
  } catch (e) {
    throw new UsageError(`${flag}: ${e instanceof ZoneError ? e.message : String(e)}`)
  }
}

function instant(flag: string, text: string | undefined, zone: string): number | undefined {
  if (text === undefined) return undefined
  const r = parseIso(text, toZone(zone))
  if (!r) throw new UsageError(`${flag} takes an ISO-8601 time such as 2013-06-18T15:00:00-03:00, not "${text}"`)
  return r.ms
}

/** Validated detector options from the run options (throws UsageError). */
export function detectorOptions(opts: ScanRunOptions): ScanOptions {
  checkZone('--log-tz', opts.logTz)
  checkZone('--dhcp-tz', opts.dhcpTz)
  if (opts.natLogs.length === 0) throw new UsageError('give the NAT / firewall logs to scan with --nat-logs PATH')
  if (opts.natFormat && !natFormats.some((f) => f.name === opts.natFormat))
    throw new UsageError(`unknown NAT log format "${opts.natFormat}": one of ${natFormats.map((f) => f.name).join(', ')}`)
  const zone = opts.logTz ?? systemZone()
  const sinceMs = instant('--since', opts.since, zone)
  const untilMs = instant('--until', opts.until, zone)
  if (sinceMs !== undefined && untilMs !== undefined && untilMs < sinceMs) throw new UsageError('--until is before --since')
  let explainIp: string | undefined
  if (opts.explain !== undefined) {
    explainIp = canonicalIp(opts.explain) ?? undefined
    if (!explainIp) throw new UsageError(`--explain takes an IP address, not "${opts.explain}"`)
  }
  let isOurs: ((ip: string) => boolean) | undefined
  if (opts.ourNetworks?.length) {
    let set: CidrSet
    try {
      set = new CidrSet(opts.ourNetworks)
    } catch (e) {
      throw new UsageError(`--our-networks: ${(e as Error).message}`)
    }
    isOurs = (ip) => set.has(ip)
  }
  const o: ScanOptions = {...opts.detector, sinceMs, untilMs, direction: opts.direction ?? 'both', explainIp, isOurs}
  try {
    new ScanDetector(o)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  return o
}

/** Names the client behind an inside source at the time of its first packet (and checks its last one). */
export function attributeSource(ip: string, first: number, last: number, holdings: HoldingIndex | null): {source: ScanSource; evidence: Evidence[]} {
  const blank = {ip, mac: null, hostname: null, subscriber: null}
  if (!isInsideAddress(ip)) return {source: {...blank, attribution: 'outside', attributionReason: 'an outside address: not one of our clients'}, evidence: []}
  if (!holdings) return {source: {...blank, attribution: 'not-found', attributionReason: 'no lease source given (--dhcp): the client behind this inside address is not named'}, evidence: []}
  const a = holdings.lookup(ip, first)
  if (a.holders.length !== 1) return {source: {...blank, attribution: a.holders.length > 1 ? 'ambiguous' : 'not-found', attributionReason: a.reason}, evidence: []}
  const h = a.holders[0]!
  if (h.mac === null) return {source: {...blank, attribution: 'ambiguous', attributionReason: `${a.reason}; the holder has no MAC (an unknown device): not named`}, evidence: h.evidence}
  const b = holdings.lookup(ip, last)
  const other = b.holders.find((x) => x.mac !== h.mac)
  if (other)
    return {
      source: {...blank, attribution: 'ambiguous', attributionReason: `the address changed hands during the scan: ${h.mac} at its first packet (${isoUtc(first)}), ${other.mac ?? 'an unknown device'} at its last (${isoUtc(last)})`},
      evidence: [...h.evidence, ...other.evidence],
    }
  return {
    source: {ip, mac: h.mac, hostname: h.hostname, subscriber: h.subscriber, attribution: 'attributed', attributionReason: a.reason},
    evidence: h.evidence.slice(0, 3),
  }
}

export function detectionOut(d: RawDetection, holdings: HoldingIndex | null): DetectionOut {
  const who = attributeSource(d.sourceIp, d.firstSeen, d.lastSeen, holdings)
  const out: DetectionOut = {
    kind: d.kind,
    direction: d.direction,
    dangerLevel: d.dangerLevel,
    source: who.source,
    targets: d.targets,
    protocols: d.protocols,
    packets: d.packets,
    firstSeen: isoUtc(d.firstSeen),
    lastSeen: isoUtc(d.lastSeen),
    signatures: d.signatures,
    reason: d.reason,
    evidence: [...d.evidence, ...who.evidence.map((e) => ({...e, role: e.role ?? 'lease'}))],
    outcomes: d.outcomes,
    trw: {...d.trw, decidedAt: d.trw.decidedAt === null ? null : isoUtc(d.trw.decidedAt)},
  }
  if (d.tcpFlags) out.tcpFlags = d.tcpFlags
  return out
}

/** Reads lease sources into a holding index (pre-filtered on `ips` when given). */
export async function loadHoldings(
  opts: Pick<ScanRunOptions, 'dhcp' | 'dhcpTz' | 'logTz' | 'leaseFormat'>,
  ips: string[] | null,
  warnings: Warning[],
): Promise<{holdings: HoldingIndex; inputs: InputSummary[]} | null> {
  if (opts.dhcp.length === 0) return null
  const needles = ips && ips.length > 0 && ips.length <= 5000 && !ips.some((i) => i.includes(':')) ? ips : undefined
  const read = await readAll<LeaseEvent>(opts.dhcp, 'lease source', leaseFormats, {
    zone: opts.dhcpTz ?? opts.logTz,
    needles,
    format: opts.leaseFormat,
    onWarning: (w) => warnings.push(w),
  })
  return {holdings: buildHoldings(read.results.flatMap((r) => r.records)), inputs: read.results.map(summarize)}
}

const ORDER: Record<string, number> = {vertical: 0, horizontal: 0, mixed: 0, 'syn-only': 0, p2p: 1}

export async function runScan(opts: ScanRunOptions): Promise<ScanResult> {
  const dopts = detectorOptions(opts)
  const det = new ScanDetector(dopts)
  const warnings: Warning[] = []
  // syslog stamps have no year: --until / --since say when the operator looks, else each file's mtime does
  const anchor = dopts.untilMs ?? dopts.sinceMs
  const year: YearPolicy | undefined =
    anchor !== undefined ? {anchorMs: anchor, mode: 'nearest', anchorWhat: dopts.untilMs !== undefined ? '--until' : '--since'} : undefined
  const nat = await readAll<ScanRecord>(opts.natLogs, 'NAT log', opts.fastPath === false ? natFormats : scanFormats(natFormats), {
    zone: opts.logTz,
    year,
    format: opts.natFormat,
    keepRecords: false,
    onRecord: feeder(det),
    onWarning: (w) => warnings.push(w),
  })
  const {detections, explanations, explainSeen} = det.finish()
  const inside = [...new Set(detections.filter((d) => isInsideAddress(d.sourceIp)).map((d) => d.sourceIp))]
  // lease sources are read only when an inside source was flagged, pre-filtered on those addresses
  const leases = inside.length > 0 ? await loadHoldings(opts, inside, warnings) : null
  const out = detections
    .map((d) => detectionOut(d, leases?.holdings ?? null))
    .sort((a, b) => (ORDER[a.kind] ?? 0) - (ORDER[b.kind] ?? 0) || b.dangerLevel - a.dangerLevel || a.firstSeen.localeCompare(b.firstSeen))
  const assumptions: Assumption[] = []
  for (const r of nat.results) {
    if (r.format !== null && r.zone.how === 'system')
      assumptions.push({kind: 'log-zone', file: r.file.display, text: `zone-less stamps read in the system zone ${r.zone.zone} (use --log-tz to say otherwise)`})
    if (r.years.length > 0)
      assumptions.push({
        kind: 'syslog-year',
        file: r.file.display,
        text: `syslog stamps carry no year: read as ${r.years.join(', ')} (nearest to ${year ? year.anchorWhat : "the file's modification time, not after it"}; give --since/--until to say when)`,
      })
    if (r.format === null) warnings.push({file: r.file.display, message: 'no known NAT / firewall log format recognised in this file: not scanned (see `natrace logs inspect`)'})
  }
  const result: ScanResult = {
    detections: out,
    assumptions,
    inputs: {nat: nat.results.map((r) => ({...summarize(r), records: r.recordCount})), leases: leases?.inputs ?? []},
    stats: {events: det.events, contacts: det.contacts, replies: det.replies},
    warnings: warnings.map(formatWarning),
  }
  if (dopts.explainIp) {
    result.explain = {
      ip: dopts.explainIp,
      windows: explainSeen
        ? explanations.map((e) => ({ip: e.ip, firstSeen: isoUtc(e.firstSeen), lastSeen: isoUtc(e.lastSeen), verdict: e.verdict, reason: e.reason, metrics: e.metrics}))
        : [{ip: dopts.explainIp, firstSeen: null, lastSeen: null, verdict: 'not-seen', reason: 'no contact from this address in the logs read (within --since/--until and --direction)', metrics: {}}],
    }
  }
  return result
}
