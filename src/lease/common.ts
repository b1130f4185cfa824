/**
 * Small helpers shared by the lease formats: evidence records, syslog headers, ISC-style quoted strings.
 * Nothing here knows a vendor.
 */
import type {Evidence, LeaseEvent, LeaseEventKind} from '../model.js'
import type {ParseContext} from '../io/format.js'
import type {Line} from '../io/lines.js'
import {canonicalIp, normalizeMac} from '../io/net.js'
import {parseOffset} from '../io/time.js'
import {parse as parseCsv} from 'csv-parse/sync'

export function evidenceOf(ctx: ParseContext, line: Line | {no: number; text: string}, role: string): Evidence {
  return {file: ctx.file.display, line: line.no, text: line.text, role}
}

export interface EventFields {
  event: LeaseEventKind
  time: number
  ip: string
  mac?: string | null
  hostname?: string | null
  subscriber?: string | null
  leaseEnd?: number | null
  timeAlt?: number
}

export function leaseEvent(f: EventFields, evidence: Evidence): LeaseEvent {
  const e: LeaseEvent = {
    event: f.event,
    time: f.time,
    ip: f.ip,
    mac: f.mac ?? null,
    hostname: f.hostname ?? null,
    subscriber: f.subscriber ?? null,
    leaseEnd: f.leaseEnd ?? null,
    evidence,
  }
  if (f.timeAlt !== undefined) e.timeAlt = f.timeAlt
  return e
}

/** canonicalIp that also refuses the unspecified address (0.0.0.0 / ::), which names no client */
export function clientIp(text: string | undefined): string | null {
  if (!text) return null
  const ip = canonicalIp(text)
  if (!ip || ip === '0.0.0.0' || ip === '::') return null
  return ip
}

/**
 * A client's hardware address: normalised MAC, or — for a non-Ethernet / short hardware address written
 * as colon hex (InfiniBand, test data) — the same hex in lower case, so it still identifies the client.
 * An all-zero address names nobody (Windows placeholders, cleared MACs) → null.
 */
export function macOf(text: string | undefined | null): string | null {
  if (!text) return null
  let m = normalizeMac(text)
  if (!m) {
    const t = text.trim().toLowerCase()
    if (!/^[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){1,19}$/.test(t)) return null
    m = t.split(':').map((p) => p.padStart(2, '0')).join(':')
  }
  if (/^(?:00:)*00$/.test(m)) return null
  return m
}

/** Splits one CSV line: plain split when there are no quotes, csv-parse otherwise. Undefined when unreadable. */
export function csvFields(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',')
  try {
    const rows = parseCsv(line, {relax_column_count: true, relax_quotes: true, skip_empty_lines: true}) as string[][]
    return rows[0]
  } catch {
    return undefined
  }
}

/** Kea / HTML-style numeric escapes ("three&#x2cexample&#x2ccom") → text */
export function unescapeNumeric(text: string): string {
  return text.replace(/&#x([0-9a-f]{2})/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&#(\d{1,7});/g, (_, d: string) => String.fromCodePoint(Number(d)))
}

/** A hostname as the operator should see it, or null for "none" placeholders. */
export function cleanHostname(text: string | undefined | null): string | null {
  if (text === undefined || text === null) return null
  const t = text.trim()
  if (t === '' || t === '*' || t === '-' || /^hostname unsuitable for printing$/i.test(t)) return null
  return t
}

export interface SyslogStamp {
  ms: number
  alt?: number
  /** the stamp carried a zone (ISO with offset) */
  stated: boolean
  /** index in the line just after the stamp */
  end: number
}

const MON = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec'
// "<30>Jun 18 15:40:12", "Jun  8 15:40:12.123", optional priority
const BSD = new RegExp(`^(?:<\\d{1,3}>)?(${MON})\\s+(\\d{1,2})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?`, 'i')
// "2013-06-18T15:40:12.123456-03:00", "<30>1 2013-06-18T15:40:12Z", "2013-06-18 15:40:12"
const ISO = /^(?:<\d{1,3}>(?:1 )?)?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/i
// OpenWrt logread: "Mon Apr 11 15:02:46 2022"
const CTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MON})\\s+(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})`, 'i')

function fracMs(frac: string | undefined): number {
  return frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0
}

/** Reads the timestamp at the start of a syslog line (RFC 3164, RFC 3339/5424, ctime with year). */
export function syslogStamp(text: string, ctx: ParseContext): SyslogStamp | undefined {
  const c0 = text.charCodeAt(text[0] === '<' ? text.indexOf('>') + 1 : 0)
  if (c0 >= 48 && c0 <= 57) {
    const m = ISO.exec(text)
    if (!m) return undefined
    const w = {
      year: Number(m[1]), month: Number(m[2]), day: Number(m[3]),
      hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), millisecond: fracMs(m[7]),
    }
    if (m[8]) {
      const off = /^z$/i.test(m[8]) ? 0 : parseOffset(m[8])
      if (off === undefined) return undefined
      const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - off * 60_000
      if (Number.isNaN(ms)) return undefined
      return {ms, stated: true, end: m[0].length}
    }
    const r = ctx.time.wall(w)
    if (Number.isNaN(r.ms)) return undefined
    return {ms: r.ms, alt: r.alt, stated: false, end: m[0].length}
  }
  let m = BSD.exec(text)
  if (m) {
    const r = ctx.time.syslog(m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), fracMs(m[6]))
    if (!r || Number.isNaN(r.ms)) return undefined
    return {ms: r.ms, alt: r.alt, stated: false, end: m[0].length}
  }
  m = CTIME.exec(text)
  if (m) {
    const month = MON.split('|').findIndex((x) => x.toLowerCase() === m![1]!.toLowerCase()) + 1
    const r = ctx.time.wall({year: Number(m[6]), month, day: Number(m[2]), hour: Number(m[3]), minute: Number(m[4]), second: Number(m[5])})
    if (Number.isNaN(r.ms)) return undefined
    return {ms: r.ms, alt: r.alt, stated: false, end: m[0].length}
  }
  return undefined
}

/** ISC-style quoted string with C/octal escapes ("joao\040pc") → text. */
export function unquoteIsc(text: string): string {
  let t = text.trim()
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) t = t.slice(1, -1)
  return t.replace(/\\([0-7]{1,3}|.)/g, (_, e: string) => (/^[0-7]+$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e))
}
