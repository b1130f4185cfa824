/**
 * Shared helpers for NAT formats that arrive behind a syslog header: the header's time stamp (RFC 3164
 * "Mmm dd hh:mm:ss", with or without a year, RFC 3339 / ISO from newer syslogds, RFC 5424 with <PRI>1),
 * the sending host, and small number/port helpers used on hot paths.
 */
import type {Line} from '../io/lines.js'
import type {ParseContext} from '../io/format.js'
import {monthNumber, parseOffset, type Resolved, type Wall} from '../io/time.js'
import type {Evidence, NatEvent} from '../model.js'
import {canonicalIp, isInsideAddress} from '../io/net.js'

export interface SyslogHead {
  time: Resolved
  /** index in the line where the text after the stamp starts (after one space) */
  rest: number
  /** whether the stamp carried its own zone (RFC 3339 with offset/Z) */
  stated: boolean
}

const BSD = /^(?:<\d{1,3}>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: (\d{4}))?(?= |$)/
const ISO =
  /^(?:<\d{1,3}>)?(?:1 )?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?(?= |$)/

/**
 * Zone-less wall time → instant, through a one-minute cache: luxon's zone offsets cost tens of µs and a busy
 * log repeats the same minute thousands of times. Only a minute that resolved to exactly one instant (no
 * repeated daylight-saving hour, no gap) is cached, so the clock's ordering rule still decides every
 * ambiguous stamp.
 */
export function wallTime(ctx: ParseContext, w: Wall): Resolved {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond ?? 0)
  if (Number.isNaN(naive)) return {ms: NaN}
  const minute = naive - w.second * 1000 - (w.millisecond ?? 0)
  const c = ctx.state.wallMinute as {minute: number; off: number; time: unknown} | undefined
  if (c && c.minute === minute && c.time === ctx.time) return {ms: naive - c.off}
  const r = ctx.time.wall(w)
  ctx.state.wallMinute = r.alt === undefined && !r.gap && !Number.isNaN(r.ms) ? {minute, off: naive - r.ms, time: ctx.time} : undefined
  return r
}

/** A syslog "Mmm dd hh:mm:ss" stamp (no year: from the file's year policy, recorded for the assumptions). */
export function syslogWall(ctx: ParseContext, mon: string, day: number, hour: number, minute: number, second: number, millisecond = 0): Resolved | undefined {
  const month = monthNumber(mon)
  if (!month || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const year = ctx.time.yearOf(month, day)
  return wallTime(ctx, {year, month, day, hour, minute, second, millisecond})
}

function fracMs(f: string | undefined): number {
  if (!f) return 0
  return Number((f + '00').slice(0, 3))
}

/**
 * Reads the time stamp at the start of a syslog line. Zone-less stamps are resolved by the file's clock
 * (ctx.time: the user's --log-tz or the system zone, year from the policy); stamps with an offset are absolute.
 */
export function syslogStamp(text: string, ctx: ParseContext): SyslogHead | undefined {
  let c = text.charCodeAt(0)
  if (c === 60 /* < */) {
    // "<PRI>" of a raw remote syslog record, then either stamp
    const close = text.indexOf('>')
    c = close > 0 && close < 5 ? text.charCodeAt(close + 1) : 0
  }
  if (c >= 48 && c <= 57) {
    const m = ISO.exec(text)
    if (!m) return undefined
    const w = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      millisecond: fracMs(m[7]),
    }
    if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) return undefined
    const rest = m[0].length + 1
    if (m[8]) {
      const off = m[8] === 'Z' || m[8] === 'z' ? 0 : parseOffset(m[8])
      if (off === undefined) return undefined
      const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - off * 60_000
      return {time: {ms}, rest, stated: true}
    }
    const r = wallTime(ctx, w)
    if (Number.isNaN(r.ms)) return undefined
    return {time: r, rest, stated: false}
  }
  const m = BSD.exec(text)
  if (!m) return undefined
  const year = m[3] ?? m[8]
  const ms = fracMs(m[7])
  let r: Resolved | undefined
  if (year) {
    const month = monthNumber(m[1]!)
    if (!month) return undefined
    r = wallTime(ctx, {year: Number(year), month, day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), millisecond: ms})
  } else r = syslogWall(ctx, m[1]!, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), ms)
  if (!r || Number.isNaN(r.ms)) return undefined
  return {time: r, rest: m[0].length + 1, stated: false}
}

/** The host word after the stamp (the token before "tag:"), or null when the line has none. */
export function syslogHost(text: string, rest: number): string | null {
  const sp = text.indexOf(' ', rest)
  if (sp < 0) return null
  const word = text.slice(rest, sp)
  if (word.endsWith(':') || word.includes('[')) return null
  return word
}

/**
 * canonicalIp with a fast path for the common case of a canonical dotted quad (no leading zeros), which is
 * returned as is; everything else goes through canonicalIp.
 */
export function ipOf(text: string): string | null {
  const n = text.length
  if (n >= 7 && n <= 15) {
    let dots = 0
    let val = 0
    let digits = 0
    let ok = true
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c === 46) {
        if (digits === 0) {
          ok = false
          break
        }
        dots++
        val = 0
        digits = 0
      } else if (c >= 48 && c <= 57) {
        if (digits > 0 && val === 0) {
          ok = false // leading zero: let canonicalIp decide
          break
        }
        val = val * 10 + (c - 48)
        digits++
        if (val > 255) {
          ok = false
          break
        }
      } else {
        ok = false
        break
      }
    }
    if (ok && dots === 3 && digits > 0) return text
  }
  return canonicalIp(text)
}

/** Longest line the formats read (real records are well under 2 KiB; this bounds every regex's work). */
export const MAX_LINE = 8192

/** A line over MAX_LINE: malformed when it looks like the format's own, else not ours. */
/**
 * Key=value and structured-data records (FortiGate, SRX, PAN-OS, ASA …) run to a few KB: their formats read lines
 * up to this length.
 */
export const MAX_RECORD_LINE = 16_384

export function tooLong(line: Line, ctx: ParseContext, ours: boolean, what: string, max = MAX_LINE): null {
  if (ours) ctx.malformed(line, `${what} line longer than ${max} characters: not read`)
  return null
}

/** A decimal port 0..65535, or null. */
export function port(text: string | undefined): number | null {
  if (text === undefined || text.length === 0 || text.length > 5) return null
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return null
    n = n * 10 + d
  }
  return n <= 65535 ? n : null
}

/** IP protocol numbers natrace names (lower-case transport names). */
export const PROTO_NUMBERS: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp', // IANA keyword
  132: 'sctp',
  136: 'udplite',
}

export function evidence(line: Line, ctx: ParseContext, role: string): Evidence {
  return {file: ctx.file.display, line: line.no, text: line.text, role}
}

/** A NatEvent with every optional address field null; callers fill what the line proves. */
export function blankEvent(kind: NatEvent['kind'], time: Resolved, ev: Evidence): NatEvent {
  const e: NatEvent = {
    kind,
    time: time.ms,
    end: null,
    protocol: null,
    insideIp: null,
    insidePort: null,
    outsideIp: null,
    outsidePort: null,
    outsidePortEnd: null,
    destIp: null,
    destPort: null,
    subscriber: null,
    evidence: ev,
  }
  if (time.alt !== undefined) e.timeAlt = time.alt
  return e
}

/** detect() helper: a share of matching lines, lifted above 0.5 when a clear part of the sample is ours. */
export function detectScore(sample: string[], test: (line: string) => boolean): number {
  let n = 0
  let hits = 0
  for (const l of sample) {
    if (l.trim().length === 0) continue
    n++
    if (test(l)) hits++
  }
  if (n === 0 || hits === 0) return 0
  const r = hits / n
  // a log dedicated to this source, or a syslog file where it is a good part of the traffic
  return r >= 0.2 ? 0.55 + 0.4 * r : r
}

/**
 * One-sided packet logs (iptables, pf): a packet whose source is an inside address is outbound (inside = source,
 * the peer = destination); one whose destination is inside is a reply (inside = destination). Neither: nothing
 * about a client. Needs srcIp/srcPort/dstIp/dstPort set.
 */
export function orientPacket(ev: NatEvent): void {
  const {srcIp: src, srcPort: sp = null, dstIp: dst, dstPort: dp = null} = ev
  if (src && isInsideAddress(src)) {
    ev.insideIp = src
    ev.insidePort = sp
    ev.destIp = dst ?? null
    ev.destPort = dp
    ev.evidence.role = 'outbound packet'
  } else if (dst && isInsideAddress(dst)) {
    ev.insideIp = dst
    ev.insidePort = dp
    ev.destIp = src ?? null
    ev.destPort = sp
    ev.evidence.role = 'reply packet'
  }
}

/** A port-block record (PBA / CGN block logs): inside address → public address + port range, at one moment of its life. */
export function portBlockEvent(
  time: Resolved,
  ev: Evidence,
  b: {inside: string; outside: string; lo: number; hi: number; phase: 'open' | 'interim' | 'close'},
): NatEvent {
  const e = blankEvent('port-block', time, ev)
  e.insideIp = b.inside
  e.outsideIp = b.outside
  e.outsidePort = b.lo
  e.outsidePortEnd = b.hi
  e.phase = b.phase
  // an allocation holds from its instant on; an interim or a release states the block at that instant
  if (b.phase !== 'open') e.end = time.ms
  return e
}
