/**
 * Cisco ASA / FWSM / PIX / FTD syslog (Cisco "ASA Series Syslog Messages" reference):
 *
 *   %ASA-6-305011: Built dynamic TCP translation from inside:192.168.1.10/51234 to outside:203.0.113.5/40001
 *   %ASA-6-305012: Teardown dynamic TCP translation from inside:192.168.1.10/51234 to outside:203.0.113.5/40001 duration 0:01:02
 *   %ASA-6-305009/305010: Built/Teardown dynamic translation from inside:10.1.1.1 to outside:203.0.113.9 [duration …]
 *   %ASA-6-302013: Built outbound TCP connection 77 for outside:198.51.100.7/80 (198.51.100.7/80) to inside:192.168.1.10/51234 (203.0.113.5/40001)
 *   %ASA-6-302014: Teardown TCP connection 77 for outside:198.51.100.7/80 to inside:192.168.1.10/51234 duration 0:00:31 bytes 5123 TCP FINs
 *   %ASA-6-302020/302021: Built/Teardown outbound ICMP connection for faddr 198.51.100.7/0 gaddr 203.0.113.5/31 laddr 192.168.1.10/1 type 8 code 0
 *   %ASA-6-305014/305015: Allocated/Released 512 block of ports for translation from inside:10.1.1.1 to outside:203.0.113.5/1024-1535
 *   %ASA-3-305017: Pba-interim-logging: Active ICMP block of ports for translation from inside:10.1.1.1 to outside:203.0.113.5/1024-1535
 *
 * Roles: in 3050xx "from" is the real (inside) address and "to" the mapped one. In 302013–302016 the "for"
 * side is the host on the lower-security interface (the remote peer, for inbound AND outbound connections)
 * and the "to" side the host on the higher-security interface, its mapped address in parentheses. The
 * parenthesised mapped address equals the real one when no translation applied; it is reported as written.
 * 302014/302016 carry no mapped address: it is taken from the Built line of the same connection id read
 * earlier in the file (same inside and peer addresses), else the outside fields stay null.
 *
 * Time: the device's own stamp ("Jun 18 2013 15:53:34", EMBLEM's "*Jun 18 15:53:34.123 UTC") is preferred
 * over a relay's syslog header; zone-less stamps take the file's zone.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {monthNumber, parseOffset, type Resolved} from '../../io/time.js'
import {canonicalIp} from '../../io/net.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, portBlockEvent, MAX_RECORD_LINE, tooLong} from '../syslog.js'

const TAG = /%(?:ASA|FWSM|PIX|FTD)-(?:[a-z]+-)?\d-(\d{6}):? ?/

/**
 * Any stamp a Cisco line carries before index `end`; the rightmost one wins (the device's own stamp
 * comes after a relay's header). Forms: "Mmm dd yyyy hh:mm:ss", "yyyy Mmm dd hh:mm:ss" (IOS XR CGN),
 * "Mmm dd hh:mm:ss" (year inferred), ISO-8601; optional fraction; optional "Z"/offset/"UTC"/"GMT".
 * Other zone abbreviations (EDT, CET…) are ambiguous and ignored: the file's zone applies.
 */
const STAMP =
  /(?:([A-Z][a-z]{2}) +(\d{1,2}) (\d{4}) |(\d{4}) ([A-Z][a-z]{2}) +(\d{1,2}) |([A-Z][a-z]{2}) +(\d{1,2}) |(\d{4})-(\d{2})-(\d{2})[T ])(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:(Z|[+-]\d{2}:?\d{2})\b|\s?(UTC|GMT|utc|gmt)\b)?/g

export function ciscoStamp(text: string, end: number, ctx: ParseContext): Resolved | undefined {
  const head = text.slice(0, Math.min(end, 240))
  STAMP.lastIndex = 0
  let m: RegExpExecArray | null
  let last: RegExpExecArray | null = null
  while ((m = STAMP.exec(head)) !== null) last = m
  if (!last) return undefined
  m = last
  const hour = Number(m[12])
  const minute = Number(m[13])
  const second = Number(m[14])
  const millisecond = m[15] ? Number((m[15] + '00').slice(0, 3)) : 0
  let year: number | undefined
  let month: number | undefined
  let day: number
  if (m[1]) {
    month = monthNumber(m[1])
    day = Number(m[2])
    year = Number(m[3])
  } else if (m[4]) {
    year = Number(m[4])
    month = monthNumber(m[5]!)
    day = Number(m[6])
  } else if (m[7]) {
    month = monthNumber(m[7])
    day = Number(m[8])
  } else {
    year = Number(m[9])
    month = Number(m[10])
    day = Number(m[11])
  }
  if (!month || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const zone = m[16] ?? m[17]?.toUpperCase()
  if (zone) {
    if (year === undefined) {
      // "May 21 12:00:01.123 UTC:" (IOS without year): the year comes from the file's year policy
      year = ctx.time.yearOf(month, day)
    }
    const off = zone === 'Z' || zone === 'UTC' || zone === 'GMT' ? 0 : parseOffset(zone)
    if (off === undefined) return undefined
    return {ms: Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - off * 60_000}
  }
  const r =
    year === undefined
      ? ctx.time.syslog(m[7]!, day, hour, minute, second, millisecond)
      : ctx.time.wall({year, month, day, hour, minute, second, millisecond})
  return r && !Number.isNaN(r.ms) ? r : undefined
}

/** "0:01:02", "1234:05:06" → ms; "1d2h3m4s" style also accepted. */
export function durationMs(text: string | undefined): number | null {
  if (!text) return null
  let m = /^(\d+):(\d{2}):(\d{2})$/.exec(text)
  if (m) return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000
  m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  if (m && text.length > 0) return (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000
  return null
}

const A = '([0-9A-Fa-f.:]+)'
const IF = '([^\\s:]+)'
const USER = '(?:\\s?\\([^)]*\\))*'
const DUR = '(\\d+:\\d{2}:\\d{2}|(?:\\d+[dhms])+)'

const XLATE_PORT = new RegExp(
  `^(Built|Teardown) (?:dynamic|static) (TCP|UDP|ICMP|SCTP) translation from ${IF}:${A}/(\\d+)${USER}(?: [^ (][^ ]*)*? to ${IF}:${A}/(\\d+)${USER}(?: duration ${DUR})?`,
)
const XLATE_ADDR = new RegExp(
  `^(Built|Teardown) (?:dynamic|static) translation from ([^\\s:(]+)(?:\\([^)]*\\))?:${A}${USER}(?: [^ (][^ ]*)*? to ${IF}:${A}${USER}(?: duration ${DUR})?\\s*$`,
)
const CONN_BUILT = new RegExp(
  `^Built (inbound|outbound) (TCP|UDP|SCTP) connection (\\d+) for ${IF}:${A}/(\\d+) \\(${A}/(\\d+)\\)${USER} to ${IF}:${A}/(\\d+) \\(${A}/(\\d+)\\)`,
)
const CONN_TEARDOWN = new RegExp(
  `^Teardown (TCP|UDP|SCTP) connection (\\d+) for ${IF}:${A}/(\\d+)(?:\\s?\\([^)]*\\)| [^ (][^ ]*)*? to ${IF}:${A}/(\\d+)(?:.*? duration ${DUR})?`,
)
const ICMP_CONN = new RegExp(
  `^(Built|Teardown) (?:(?:in|out)bound )?ICMP connection for faddr ${A}/(\\d+)${USER} gaddr ${A}/(\\d+) laddr ${A}/(\\d+)`,
)
const BLOCK = new RegExp(`block of ports for translation from ${IF}:${A}${USER} to ${IF}:${A}/(\\d+)-(\\d+)`)

function num(s: string | undefined): number | null {
  if (s === undefined) return null
  const n = Number(s)
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null
}

const HANDLED = new Set(['302013', '302014', '302015', '302016', '302020', '302021', '305009', '305010', '305011', '305012', '305014', '305015', '305017'])


function parse(line: Line, ctx: ParseContext): NatEvent | null {
  const text = line.text
  const pct = text.indexOf('%')
  if (pct < 0) return null
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, TAG.test(text.slice(0, 512)), 'ASA', MAX_RECORD_LINE)
  if (!(text.includes('%ASA-') || text.includes('%FWSM-') || text.includes('%PIX-') || text.includes('%FTD-'))) return null
  TAG.lastIndex = 0
  const tag = TAG.exec(text)
  if (!tag) return null
  const id = tag[1]!
  if (!HANDLED.has(id)) return null
  const body = text.slice(tag.index + tag[0].length)
  const t = ciscoStamp(text, tag.index, ctx)
  if (!t) {
    ctx.malformed(line, `ASA ${id}: no readable time stamp`)
    return null
  }
  const bad = (why: string) => {
    ctx.malformed(line, `ASA ${id}: ${why}`)
    return null
  }
  if (id === '305011' || id === '305012') {
    const m = XLATE_PORT.exec(body)
    if (!m) return bad('translation line not understood')
    const inside = canonicalIp(m[4]!)
    const outside = canonicalIp(m[7]!)
    const ip = num(m[5])
    const op = num(m[8])
    if (!inside || !outside || ip === null || op === null) return bad('bad address or port')
    const teardown = m[1] === 'Teardown'
    const e = blankEvent('mapping', t, evidence(line, ctx, teardown ? 'translation teardown' : 'translation built'))
    e.protocol = m[2]!.toLowerCase()
    e.insideIp = inside
    e.insidePort = ip
    e.outsideIp = outside
    e.outsidePort = op
    return closeOrOpen(e, teardown, m[9], t)
  }
  if (id === '305009' || id === '305010') {
    const m = XLATE_ADDR.exec(body)
    if (!m) return bad('translation line not understood')
    const inside = canonicalIp(m[3]!)
    const outside = canonicalIp(m[5]!)
    if (!inside || !outside) return bad('bad address')
    const teardown = m[1] === 'Teardown'
    const e = blankEvent('mapping', t, evidence(line, ctx, teardown ? 'address translation teardown' : 'address translation built'))
    e.insideIp = inside
    e.outsideIp = outside
    return closeOrOpen(e, teardown, m[6], t)
  }
  if (id === '302013' || id === '302015') {
    const m = CONN_BUILT.exec(body)
    if (!m) return bad('connection line not understood')
    const dest = canonicalIp(m[5]!)
    const inside = canonicalIp(m[10]!)
    const mapped = canonicalIp(m[12]!)
    const dp = num(m[6])
    const ip = num(m[11])
    const mp = num(m[13])
    if (!dest || !inside || !mapped || dp === null || ip === null || mp === null) return bad('bad address or port')
    const e = blankEvent('session-start', t, evidence(line, ctx, `${m[1]} connection built`))
    e.protocol = m[2]!.toLowerCase()
    e.insideIp = inside
    e.insidePort = ip
    e.outsideIp = mapped
    e.outsidePort = mp
    e.destIp = dest
    e.destPort = dp
    remember(ctx, m[3]!, e)
    return e
  }
  if (id === '302014' || id === '302016') {
    const m = CONN_TEARDOWN.exec(body)
    if (!m) return bad('teardown line not understood')
    const dest = canonicalIp(m[4]!)
    const inside = canonicalIp(m[7]!)
    const dp = num(m[5])
    const ip = num(m[8])
    if (!dest || !inside || dp === null || ip === null) return bad('bad address or port')
    const e = blankEvent('session-end', t, evidence(line, ctx, 'connection teardown'))
    e.protocol = m[1]!.toLowerCase()
    e.insideIp = inside
    e.insidePort = ip
    e.destIp = dest
    e.destPort = dp
    e.end = t.ms
    recall(ctx, m[2]!, e)
    const d = durationMs(m[9])
    if (d !== null) startBefore(e, d)
    return e
  }
  if (id === '302020' || id === '302021') {
    const m = ICMP_CONN.exec(body)
    if (!m) return bad('ICMP connection line not understood')
    const dest = canonicalIp(m[2]!)
    const mapped = canonicalIp(m[4]!)
    const inside = canonicalIp(m[6]!)
    if (!dest || !mapped || !inside) return bad('bad address')
    const built = m[1] === 'Built'
    const e = blankEvent(built ? 'session-start' : 'session-end', t, evidence(line, ctx, built ? 'ICMP connection built' : 'ICMP connection teardown'))
    e.protocol = 'icmp'
    // faddr / gaddr / laddr "ports" are ICMP sequence / identifier fields, kept as written
    e.destIp = dest
    e.destPort = num(m[3])
    e.outsideIp = mapped
    e.outsidePort = num(m[5])
    e.insideIp = inside
    e.insidePort = num(m[7])
    if (!built) e.end = t.ms
    return e
  }
  // 305014 / 305015 / 305017 port blocks
  const m = BLOCK.exec(body)
  if (!m) return bad('port block line not understood')
  const inside = canonicalIp(m[2]!)
  const outside = canonicalIp(m[4]!)
  const lo = num(m[5])
  const hi = num(m[6])
  if (!inside || !outside || lo === null || hi === null || hi < lo) return bad('bad address or port range')
  const phase = id === '305014' ? 'open' : id === '305015' ? 'close' : 'interim'
  return portBlockEvent(t, evidence(line, ctx, phase === 'open' ? 'port block allocated' : phase === 'close' ? 'port block released' : 'port block active (interim)'), {inside, outside, lo, hi, phase})
}

/**
 * 302014/302016 carry no mapped address. When this file held the 302013/302015 Built line of the same
 * connection id, with the same inside and peer addresses, its mapped address is the teardown's too: filled
 * in so that start and end pair into one translation. Per file, bounded.
 */
const CONN_KEY = 'cisco-asa:connections'
const CONN_MAX = 200_000

interface Built {
  insideIp: string | null
  insidePort: number | null
  destIp: string | null
  destPort: number | null
  outsideIp: string | null
  outsidePort: number | null
}

function conns(ctx: ParseContext): Map<string, Built> {
  let m = ctx.state[CONN_KEY] as Map<string, Built> | undefined
  if (!m) ctx.state[CONN_KEY] = m = new Map()
  return m
}

function remember(ctx: ParseContext, connId: string, e: NatEvent): void {
  const m = conns(ctx)
  if (m.size >= CONN_MAX) {
    // forget the oldest tenth (insertion order): connections that never saw a teardown in this file
    let n = CONN_MAX / 10
    for (const k of m.keys()) {
      m.delete(k)
      if (--n <= 0) break
    }
  }
  m.set(connId, {insideIp: e.insideIp, insidePort: e.insidePort, destIp: e.destIp, destPort: e.destPort, outsideIp: e.outsideIp, outsidePort: e.outsidePort})
}

function recall(ctx: ParseContext, connId: string, e: NatEvent): void {
  const m = ctx.state[CONN_KEY] as Map<string, Built> | undefined
  const b = m?.get(connId)
  if (!b) return
  m!.delete(connId)
  if (b.insideIp === e.insideIp && b.insidePort === e.insidePort && b.destIp === e.destIp && b.destPort === e.destPort) {
    e.outsideIp = b.outsideIp
    e.outsidePort = b.outsidePort
  }
}

function closeOrOpen(e: NatEvent, teardown: boolean, dur: string | undefined, t: Resolved): NatEvent {
  if (!teardown) {
    e.phase = 'open'
    return e
  }
  e.phase = 'close'
  e.end = t.ms
  const d = durationMs(dur)
  if (d !== null) startBefore(e, d)
  return e
}

/**
 * A record logged at the end that states its duration: the start is that long before the end (the DST
 * alternative instant, when the end stamp had one, moves with it).
 */
export function startBefore(e: NatEvent, durationMs: number): void {
  e.time = (e.end ?? e.time) - durationMs
  if (e.timeAlt !== undefined) e.timeAlt -= durationMs
}

const DETECT = /%(?:ASA|FWSM|PIX|FTD)-(?:[a-z]+-)?\d-\d{6}/

export const ciscoAsa: NatFormat = {
  name: 'cisco-asa',
  description: 'Cisco ASA/FWSM/PIX/FTD syslog: 305009–305012 translations, 302013–302016/302020–302021 connections, 305014/305015/305017 port blocks',
  detect: (sample) => detectScore(sample, (l) => DETECT.test(l)),
  parse,
  prefilter: true,
}
