/**
 * The data templates see. The reply's view is built ONLY from the report's own data and the per-incident
 * outcome: no field of it can hold a customer's MAC, hostname, inside IP/port, subscriber id or e-mail, so no
 * template (shipped or the operator's) can leak them to the reporter (Marco Civil art. 13, LGPD, GDPR).
 * The customer notice's view holds that one customer's incidents only.
 */
import type {AttributionResult} from '../model.js'
import {stripControls, oneLineSafe} from '../io/sanitize.js'
import {formatInZone, isoUtc, toZone} from '../io/time.js'
import type {DecidedIncident, FinalClient, Outcome} from './decide.js'
import type {OperatorConfig} from './config.js'

export interface Operator {
  organisation: string
  abuseAddress: string
  signature: string
}

export interface ReplyIncidentView {
  /** 1-based, in report order */
  n: number
  timeUtc: string
  /** the same instant in the reporter's zone */
  timeReporter: string
  /** further reported instants of this incident (retransmits), and the last one */
  repeats: number
  lastUtc: string
  publicIp: string | null
  publicPort: number | null
  destIp: string | null
  destPort: number | null
  /** upper-case ("TCP") or null */
  protocol: string | null
  /** the report's own line(s), sanitised and shortened */
  quote: string[]
  outcome: Outcome
  missing: string[]
}

export interface ReplyView {
  lang: string
  operator: Operator
  reporter: {name: string | null; ticket: string | null; subject: string | null; date: string | null}
  /** the reporter's zone, and whether it is UTC (times then shown once) */
  zone: string
  zoneIsUtc: boolean
  incidents: ReplyIncidentView[]
  count: Record<Outcome, number> & {total: number}
  askFor: {sourcePort: boolean; zonedTime: boolean; moreEvents: boolean}
  /** operator-configured wording of the measures taken, or null for the template's default */
  measures: string | null
  /** estimated reporter clock offset (log − reporter), seconds, when consistent */
  clockOffsetSeconds: number | null
  generatedAt: string
}

export interface NoticeIncidentView {
  n: number
  timeUtc: string
  timeLocal: string
  repeats: number
  publicIp: string | null
  publicPort: number | null
  insidePort: number | null
  destIp: string | null
  destPort: number | null
  protocol: string | null
}

export type AbuseCategory = 'scan' | 'spam' | 'copyright' | 'bruteforce' | 'malware' | 'ddos' | 'abuse'

export interface NoticeView {
  lang: string
  operator: Operator
  customer: {n: number; insideIp: string; mac: string | null; hostname: string | null; subscriber: string | null}
  reporterName: string | null
  category: AbuseCategory
  /** a destination port in 6881-6999 (BitTorrent) was reported */
  p2pLikely: boolean
  zone: string
  zoneIsUtc: boolean
  incidents: NoticeIncidentView[]
  generatedAt: string
}

/** "2013-06-18 18:53:34 UTC" */
export function utcText(ms: number): string {
  return isoUtc(ms).replace('T', ' ').replace(/Z$/, ' UTC')
}

/** A time in a zone, falling back to UTC if the zone name is unusable. */
export function zoneText(ms: number, zone: string): string {
  try {
    toZone(zone)
    return formatInZone(ms, zone)
  } catch {
    return utcText(ms)
  }
}

function isUtcZone(zone: string): boolean {
  try {
    const z = toZone(zone)
    return z.isUniversal && z.offset(0) === 0
  } catch {
    return true
  }
}

function clean(text: string | null | undefined, max = 300): string | null {
  if (text === null || text === undefined) return null
  const s = oneLineSafe(text)
  if (!s) return null
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** The report's own lines, controls stripped, at most 5 lines of 300 characters. */
export function quoteLines(raw: string): string[] {
  const lines = stripControls(raw.replace(/\r\n?/g, '\n'))
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim())
  const out = lines.slice(0, 5).map((l) => (l.length > 300 ? `${l.slice(0, 299)}…` : l))
  if (lines.length > 5) out.push(`[… ${lines.length - 5} more]`)
  return out
}

export function operatorOf(cfg: OperatorConfig, fromAddress: string): Operator {
  const organisation = clean(cfg.organisation, 200) ?? 'Abuse desk'
  return {
    organisation,
    abuseAddress: clean(cfg.abuseAddress, 200) ?? fromAddress,
    signature: cfg.signature ? stripControls(cfg.signature.replace(/\r\n?/g, '\n')).trimEnd() : organisation,
  }
}

export function measuresFor(cfg: OperatorConfig, lang: string): string | null {
  const m = cfg.measures
  if (!m) return null
  if (typeof m === 'string') return m
  return m[lang] ?? m[lang.split('-')[0]!] ?? null
}

function protocolText(p: string | null): string | null {
  return p ? oneLineSafe(p).toUpperCase().slice(0, 12) : null
}

const ZERO: Record<Outcome, number> = {notified: 0, ambiguous: 0, unresolved: 0, 'not-ours': 0, 'no-port': 0, 'not-covered': 0, 'no-match': 0}

export function buildReplyView(
  result: AttributionResult,
  decided: DecidedIncident[],
  lang: string,
  operator: Operator,
  measures: string | null,
  now: number,
): ReplyView {
  const zone = result.report.zone || 'UTC'
  const count = {...ZERO, total: decided.length}
  const incidents: ReplyIncidentView[] = decided.map((d) => {
    const inc = d.incident
    const t = Date.parse(inc.time)
    const last = Date.parse(inc.times[inc.times.length - 1] ?? inc.time)
    count[d.outcome]++
    return {
      n: d.index + 1,
      timeUtc: utcText(t),
      timeReporter: zoneText(t, zone),
      repeats: Math.max(0, inc.times.length - 1),
      lastUtc: utcText(last),
      publicIp: clean(inc.publicIp, 60),
      publicPort: inc.publicPort,
      destIp: clean(inc.destIp ?? inc.destIpMasked ?? null, 60),
      destPort: inc.destPort,
      protocol: protocolText(inc.protocol),
      quote: quoteLines(inc.raw),
      outcome: d.outcome,
      missing: [...d.missing],
    }
  })
  const r = result.report
  const dateMs = r.date ? Date.parse(r.date) : NaN
  return {
    lang,
    operator,
    reporter: {
      name: clean(r.reporter, 120),
      ticket: clean(r.ticket, 120),
      subject: clean(r.subject, 300),
      date: Number.isNaN(dateMs) ? null : zoneText(dateMs, zone),
    },
    zone,
    zoneIsUtc: isUtcZone(zone),
    incidents,
    count,
    askFor: {
      sourcePort: decided.some((d) => d.missing.includes('source-port')),
      zonedTime: decided.some((d) => d.missing.includes('zoned-time')),
      moreEvents: decided.some((d) => d.missing.includes('more-events')),
    },
    measures: measures ? stripControls(measures.replace(/\r\n?/g, '\n')) : null,
    clockOffsetSeconds: result.clockOffsetSeconds,
    generatedAt: utcText(now),
  }
}

/** What kind of abuse, from the report's subject and format: a word for the notice, never report text. */
export function categoryOf(result: AttributionResult): AbuseCategory {
  const s = `${result.report.subject ?? ''} ${result.report.format}`.toLowerCase()
  if (/scan|varredura|escaneo|escaneamento|probe/.test(s)) return 'scan'
  if (/spam|phish|uce\b/.test(s)) return 'spam'
  if (/copyright|dmca|acns|infring|direitos autorais|derechos de autor|piracy/.test(s)) return 'copyright'
  if (/brute|ssh|login|password|senha|fuerza bruta/.test(s)) return 'bruteforce'
  if (/ddos|dos attack|flood|amplif/.test(s)) return 'ddos'
  if (/malware|botnet|infect|c&c|c2\b|sinkhole/.test(s)) return 'malware'
  return 'abuse'
}

export function buildNoticeView(
  result: AttributionResult,
  decided: DecidedIncident[],
  client: FinalClient,
  lang: string,
  zone: string,
  operator: Operator,
  now: number,
): NoticeView {
  const mine = decided.filter((d) => client.incidents.includes(d.index))
  return {
    lang,
    operator,
    customer: {
      n: client.n,
      insideIp: client.insideIp,
      mac: client.mac,
      hostname: clean(client.hostname, 120),
      subscriber: clean(client.subscriber, 120),
    },
    reporterName: clean(result.report.reporter, 120),
    category: categoryOf(result),
    p2pLikely: mine.some((d) => d.incident.destPort !== null && d.incident.destPort >= 6881 && d.incident.destPort <= 6999),
    zone,
    zoneIsUtc: isUtcZone(zone),
    incidents: mine.map((d, i) => {
      const t = Date.parse(d.incident.time)
      return {
        n: i + 1,
        timeUtc: utcText(t),
        timeLocal: zoneText(t, zone),
        repeats: Math.max(0, d.incident.times.length - 1),
        publicIp: clean(d.incident.publicIp, 60),
        publicPort: d.incident.publicPort,
        insidePort: d.final.insidePort,
        destIp: clean(d.incident.destIp ?? d.incident.destIpMasked ?? null, 60),
        destPort: d.incident.destPort,
        protocol: protocolText(d.incident.protocol),
      }
    }),
    generatedAt: utcText(now),
  }
}
