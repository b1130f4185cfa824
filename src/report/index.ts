/**
 * Abuse report ingestion: file → ReportMessage (message.ts) → best format (registry.ts) → Report.
 *
 * Zone of a stamp that states none, in this order (each incident's `zone` and a 'report-zone'
 * assumption say which applied):
 *   1. the text states it (offset, Z, UTC, GMT-3, an abbreviation) → how 'stated' (epoch numbers: 'epoch')
 *   2. the format defines it (Shadowserver: UTC)                    → how 'format'
 *   3. --report-tz                                                  → how 'flag'
 *   4. the sender's known convention (Registro.br: America/Sao_Paulo) → how 'sender'
 *   5. the offset of the report's Date: header                      → how 'header'
 *   6. UTC                                                          → how 'system'
 * The user's flag beats a sender's habit (a guess) but not a format's definition.
 */
import type {Assumption, Incident, Report, ZoneDecision} from '../model.js'
import {NatraceError, EXIT} from '../io/errors.js'
import {canonicalIp, CidrSet} from '../io/net.js'
import {oneLineSafe} from '../io/sanitize.js'
import {toZone, ZoneError} from '../io/time.js'
import {detectLanguage, EMAIL, reporterOf, requestedReplyTo} from './common.js'
import {allText, loadMessage} from './message.js'
import {REPORT_FORMATS, pickFormat} from './registry.js'
import {findAddresses} from './addr.js'
import {findStamp, offsetZoneName} from './time.js'
import type {FormatContext, ParsedTime, RawIncident, ReportMessage, ZoneConvention} from './types.js'

export interface ReportOptions {
  /** zone for report stamps that state none (beats a sender's convention, not a format's definition) */
  reportTz?: string
  /** our public IP, for reports that mask it (x.x.x.x) */
  publicIp?: string
  /** our address space: incidents naming other IPs are flagged (Incident.outsideOurNetworks) */
  ourNetworks?: string[]
}

export type {ReportFormat, ReportMessage, ParseResult, RawIncident, FormatContext} from './types.js'
export {REPORT_FORMATS} from './registry.js'

/** Duplicate rows of one incident (same addresses/ports) closer than this collapse into one incident. */
export const COLLAPSE_WINDOW_MS = 5 * 60_000

export async function readReport(path: string, opts: ReportOptions = {}): Promise<Report> {
  validateOptions(opts)
  const msg = await loadMessage(path)
  return buildReport(msg, opts)
}

function validateOptions(opts: ReportOptions): void {
  if (opts.reportTz !== undefined) {
    try {
      toZone(opts.reportTz)
    } catch (err) {
      throw new NatraceError(`--report-tz: ${err instanceof ZoneError ? err.message : String(err)}`, EXIT.usage)
    }
  }
  if (opts.publicIp !== undefined && !canonicalIp(opts.publicIp)) {
    throw new NatraceError(`--public-ip: not an IP address: ${oneLineSafe(opts.publicIp)}`, EXIT.usage)
  }
  if (opts.ourNetworks) {
    try {
      new CidrSet(opts.ourNetworks)
    } catch (err) {
      throw new NatraceError(`--our-networks: ${(err as Error).message}`, EXIT.usage)
    }
  }
}

/** Builds the format context for a message (exported for format unit tests). */
/**
 * `altOf`: zone-less report stamps in a repeated DST hour name two instants; the second is kept there (by the
 * first) and added to the incident's times, so the logs are searched at both and a client at either competes.
 */
export function makeContext(
  msg: ReportMessage,
  opts: ReportOptions,
  warnings: Assumption[] = [],
  whys = new Map<string, string>(),
  altOf = new Map<number, number>(),
): FormatContext {
  const zoneFor = (conv?: ZoneConvention): ZoneDecision => {
    if (conv?.how === 'stated') {
      whys.set(`stated|${conv.zone}`, conv.why)
      return {zone: conv.zone, how: 'stated'}
    }
    if (conv?.how === 'format') {
      whys.set(`format|${conv.zone}`, conv.why)
      return {zone: conv.zone, how: 'format'}
    }
    if (opts.reportTz) {
      if (conv) whys.set(`flag|${opts.reportTz}`, `instead of ${conv.zone} (${conv.why})`)
      return {zone: opts.reportTz, how: 'flag'}
    }
    if (conv) {
      whys.set(`sender|${conv.zone}`, conv.why)
      return {zone: conv.zone, how: 'sender'}
    }
    if (msg.dateOffset !== null) return {zone: offsetZoneName(msg.dateOffset), how: 'header'}
    return {zone: 'UTC', how: 'system'}
  }
  return {
    msg,
    reportTz: opts.reportTz,
    zoneFor,
    parseTime(text: string, conv?: ZoneConvention, whole = false): ParsedTime | undefined {
      const anchor = msg.date ?? msg.mtimeMs ?? null
      const m = findStamp(text, zoneFor(conv), anchor)
      if (!m) return undefined
      if (msg.date === null && m.notes.some((n) => n.includes('has no year'))) {
        warnings.push({kind: 'report-time', text: "the report has no Date: year-less stamps take the year nearest the file's modification time", file: msg.file})
      }
      if (whole && (m.index !== 0 || m.length < text.trimEnd().length)) return undefined
      for (const n of m.notes) warnings.push({kind: 'report-time', text: n, file: msg.file})
      if (m.ambiguous) warnings.push({kind: 'report-zone-ambiguous', text: m.ambiguous, file: msg.file})
      if (m.alt !== undefined) altOf.set(m.ms, m.alt)
      return {ms: m.ms, zone: m.stated ?? zoneFor(conv), alt: m.alt, ambiguous: m.ambiguous}
    },
    warn(text: string) {
      warnings.push({kind: 'report-warning', text, file: msg.file})
    },
  }
}

function zoneText(z: ZoneDecision, conv: string | undefined): string {
  switch (z.how) {
    case 'stated':
      return `the report states the zone of its times (${z.zone}${conv ? `: ${conv}` : ''})`
    case 'epoch':
      return 'the report gives epoch times (no zone needed)'
    case 'format':
      return `zone-less report times read in ${z.zone}: ${conv ?? 'the format defines it'}`
    case 'flag':
      return `zone-less report times read in ${z.zone} (--report-tz)${conv ? ` ${conv}` : ''}`
    case 'sender':
      return `zone-less report times read in ${z.zone}: ${conv ?? "the sender's convention"}; use --report-tz to override`
    case 'header':
      return `zone-less report times read in ${z.zone}, the offset of the report's Date: header (no zone stated, no convention known); use --report-tz to override`
    default:
      return `zone-less report times read in ${z.zone} (nothing stated; no convention known; no Date: offset); use --report-tz to override`
  }
}

export async function buildReport(msg: ReportMessage, opts: ReportOptions = {}): Promise<Report> {
  validateOptions(opts)
  const file = msg.file
  const assumptions: Assumption[] = []
  const warnings: Assumption[] = []
  // the report may be the message itself or one it forwards (attached or inline): the best-detected wins,
  // the outer message on a tie
  let picked = pickFormat(msg)
  let source = msg
  const isForward = /^\s*(?:fwd?|enc|rv|tr|wg|doorgestuurd)\s*:/i.test(msg.subject ?? '')
  for (const inner of msg.forwarded) {
    const p = pickFormat(inner)
    if (p && (!picked || p.score > picked.score + 0.05 || (isForward && source === msg && p.score >= picked.score))) {
      picked = p
      source = inner
    }
  }
  if (source !== msg) {
    assumptions.push({
      kind: 'forwarded-report',
      text: `the report was read from a forwarded message (From ${oneLineSafe(source.fromAddress ?? '?')}, Subject ${oneLineSafe(source.subject ?? '?')})`,
      file,
    })
    source = {...source, file, forwarded: [...source.forwarded, ...msg.forwarded.filter((f) => f !== source)], parts: [...source.parts, ...msg.parts]}
  }
  if (!picked) {
    throw new NatraceError(
      (msg.isEmail ? 'the e-mail names no IP address and is no known report format' : 'not an abuse report: no IP address and no known report format found') +
        ' (supported: ' + REPORT_FORMATS.map((f) => f.name).join(', ') + ')',
      EXIT.badInput,
      file,
    )
  }
  const {format} = picked
  for (const w of [...(msg.warnings ?? []), ...(source !== msg ? source.warnings ?? [] : [])]) warnings.push({kind: 'report-warning', text: w, file})
  const whys = new Map<string, string>()
  const altOf = new Map<number, number>()
  const ctx = makeContext(source, opts, warnings, whys, altOf)
  let result
  try {
    result = format.parse(source, ctx)
  } catch (err) {
    if (err instanceof NatraceError) throw err
    throw new NatraceError(`cannot read the report as ${format.name}: ${(err as Error).message}`, EXIT.badInput, file)
  }
  const raw = result.incidents.filter((i) => Number.isFinite(i.time))
  for (const r of raw) {
    const alts = [r.time, ...(r.times ?? [])].flatMap((t) => (altOf.has(t) ? [altOf.get(t)!] : []))
    if (alts.length) r.times = [...(r.times ?? []), ...alts]
  }
  if (raw.length === 0) {
    const why = warnings.find((w) => w.kind === 'report-warning')
    const named = findAddresses(allText(source)).find((a) => a.ip)?.ip
    if (!why && named && format.name === 'generic-text') {
      throw new NatraceError(`the report names ${named} but no time for it: a time is needed to find the NAT translation`, EXIT.badInput, file)
    }
    throw new NatraceError(`no incident found: the ${format.name} report names no IP address with a time${why ? ` (${why.text})` : ''}`, EXIT.badInput, file)
  }
  // masked public IP → --public-ip
  const masked = raw.filter((i) => i.publicIp === null && i.publicIpMasked)
  if (masked.length > 0) {
    const ip = opts.publicIp ? canonicalIp(opts.publicIp) : null
    if (!ip) {
      throw new NatraceError(
        `the report masks the reported IP address (${oneLineSafe(masked[0]!.publicIpPattern ?? 'x.x.x.x')}): pass --public-ip with your public IP`,
        EXIT.badInput,
        file,
      )
    }
    for (const i of masked) {
      if (i.publicIpPattern && !maskMatches(i.publicIpPattern, ip)) {
        throw new NatraceError(`--public-ip ${ip} does not match the report's masked address ${oneLineSafe(i.publicIpPattern)}`, EXIT.badInput, file)
      }
      i.publicIp = ip
    }
    assumptions.push({kind: 'public-ip', text: `the report masks the reported IP address; ${ip} taken from --public-ip`, file})
  }
  if (masked.length === 0 && opts.publicIp) {
    const ip = canonicalIp(opts.publicIp)
    const named = [...new Set(raw.map((i) => i.publicIp).filter((x): x is string => !!x))]
    if (ip && !named.includes(ip)) {
      assumptions.push({kind: 'public-ip', text: `--public-ip ${ip} not used: the report names ${named.slice(0, 5).join(', ')} itself`, file})
    }
  }
  if (raw.every((i) => i.publicIp === null)) {
    throw new NatraceError('the report names no IP address of ours (no source IP in its incidents)', EXIT.badInput, file)
  }
  const kept = raw.filter((i) => i.publicIp !== null)
  if (kept.length < raw.length) warnings.push({kind: 'report-warning', text: `${raw.length - kept.length} row(s) without an IP address were skipped`, file})

  const incidents = result.collapse === false ? kept.map(toIncident) : collapse(kept)
  incidents.sort((a, b) => a.time - b.time)

  // zone assumptions: one per distinct decision
  const seen = new Set<string>()
  for (const inc of incidents) {
    const key = `${inc.zone.how}|${inc.zone.zone}`
    if (seen.has(key)) continue
    seen.add(key)
    assumptions.push({kind: 'report-zone', text: zoneText(inc.zone, whys.get(key)), file})
  }

  if (opts.ourNetworks && opts.ourNetworks.length > 0) {
    const ours = new CidrSet(opts.ourNetworks)
    const outside = new Set<string>()
    for (const inc of incidents) {
      if (inc.publicIp && !ours.has(inc.publicIp)) {
        inc.outsideOurNetworks = true
        outside.add(inc.publicIp)
      }
    }
    if (outside.size > 0) {
      assumptions.push({kind: 'not-our-network', text: `not in --our-networks, not attributed: ${[...outside].join(', ')}`, file})
    }
  }

  const replyTo: string[] = []
  const cc = (source.headers.get('cc') ?? []).flatMap((v) => v.match(EMAIL) ?? [])
  for (const a of [...source.replyToHeader, ...(result.replyTo ?? []), ...requestedReplyTo(source.text, cc)]) {
    const s = oneLineSafe(a).toLowerCase()
    if (s && /^[^\s@]+@[^\s@]+$/.test(s) && !replyTo.includes(s)) replyTo.push(s)
  }

  const subject = source.subject !== null ? oneLineSafe(source.subject) : null
  return {
    file,
    format: format.name,
    reporter: result.reporter !== undefined && result.reporter !== null ? oneLineSafe(result.reporter) : reporterOf(source),
    ticket: result.ticket ? oneLineSafe(result.ticket) : null,
    subject,
    messageId: source.messageId ? oneLineSafe(source.messageId) : msg.messageId ? oneLineSafe(msg.messageId) : null,
    from: source.fromAddress ? oneLineSafe(source.fromAddress) : null,
    replyTo,
    date: source.date ?? msg.date,
    // a bare JSON document has keys, not prose
    language: !source.isEmail && source.json !== undefined ? null : detectLanguage(allText(source).slice(0, 20000)),
    assumptions: [...assumptions, ...(result.assumptions ?? []), ...dedupe(warnings)],
    incidents,
  }
}

/** "200.160.x.x" matches 200.160.3.4; "x.x.x.x" matches any IPv4. */
export function maskMatches(pattern: string, ip: string): boolean {
  const p = pattern.split('.')
  const a = ip.split('.')
  if (p.length !== 4 || a.length !== 4) return false
  return p.every((o, k) => !/^\d+$/.test(o) || Number(o) === Number(a[k]))
}

function dedupe(list: Assumption[]): Assumption[] {
  const seen = new Set<string>()
  return list.filter((a) => {
    const k = `${a.kind}|${a.text}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

function toIncident(r: RawIncident): Incident & {outsideOurNetworks?: boolean} {
  const times = [...new Set([r.time, ...(r.times ?? [])])].sort((a, b) => a - b)
  const inc: Incident = {
    time: times[0]!,
    times,
    publicIp: r.publicIp,
    publicPort: r.publicPort,
    portRole: r.publicPort === null ? null : r.portRole,
    destIp: r.destIp,
    destPort: r.destPort,
    protocol: r.protocol,
    zone: r.zone,
    raw: oneLineRaw(r.raw),
  }
  if (r.rawLine !== undefined) inc.rawLine = r.rawLine
  // a partly masked destination ("xxx.xxx.3.103"): the engine matches its visible octets
  if (r.destIp === null && r.destMasked && /^[\w*]+(\.[\w*]+){3}$/.test(r.destMasked)) inc.destIpMasked = r.destMasked
  return inc
}

function oneLineRaw(s: string): string {
  return s.replace(/\r/g, '').trim()
}

/**
 * Rows naming the same incident (same public ip/port/role, destination, protocol) collapse into one incident
 * with all its times: with our source port known, when within COLLAPSE_WINDOW_MS of the previous row
 * (SYN retransmits); otherwise only rows at the very same instant (duplicate rows).
 */
export function collapse(rows: RawIncident[]): Incident[] {
  const sorted = [...rows].sort((a, b) => a.time - b.time)
  const open = new Map<string, Incident>()
  const out: Incident[] = []
  for (const r of sorted) {
    const key = [r.publicIp, r.publicPort, r.portRole, r.destIp ?? r.destMasked, r.destPort, r.protocol].join('|')
    const cur = open.get(key)
    const last = cur ? cur.times[cur.times.length - 1]! : -Infinity
    // the same source port within the window is the same connection (retransmits); without a source port,
    // rows at different times may be different connections (different clients behind NAT): only exact duplicates merge
    const window = r.portRole === 'source' && r.publicPort !== null ? COLLAPSE_WINDOW_MS : 0
    if (cur && r.time - last <= window) {
      for (const t of [r.time, ...(r.times ?? [])]) if (!cur.times.includes(t)) cur.times.push(t)
      cur.times.sort((a, b) => a - b)
      if (!cur.raw.split('\n').includes(oneLineRaw(r.raw))) cur.raw += `\n${oneLineRaw(r.raw)}`
      continue
    }
    const inc = toIncident(r)
    open.set(key, inc)
    out.push(inc)
  }
  return out
}
