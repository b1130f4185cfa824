/**
 * MikroTik RouterOS firewall log (a rule with log=yes), via remote syslog, disk logging or `/log print`:
 *
 *   Mar  3 21:14:02 core-rtr firewall,info FWD forward: in:<pppoe-anna> out:ether1 - WAN, connection-state:new,snat src-mac 4c:5e:0c:00:00:01, proto TCP (SYN), 100.64.9.2:40000->203.0.113.9:443, NAT (100.64.9.2:40000->198.51.100.7:40000)->203.0.113.9:443, len 60
 *
 * - "in:IF out:IF": names may hold spaces; dynamic interfaces are "<pppoe-USER>" (also l2tp/sstp/ovpn/pptp)
 *   and name the subscriber directly; "out:(unknown 0)" for the input chain.
 * - commas go missing: "connection-state:new,snat proto TCP (SYN)".
 * - "proto ICMP (type 8, code 0), A->B" has no ports; IPv6 addresses are bracketed before a port.
 * - NAT clause: srcnat "NAT (in:p->pub:q)->dst:r", dstnat "NAT remote:p->(pub:q->in:r)", both
 *   "NAT (in:p->pub:q)->(dst:r->real:s)".
 * - RouterOS splits a long message into two syslog records: a record with " in:" but without the closing
 *   ", len N" waits (ctx.state) for the next record of the same host, whose text is appended.
 *
 * A line with a NAT clause is a translation seen at that instant (kind "mapping"); one without is a one-sided
 * packet (kind "packet", like ipfw).
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalMacAt, isInsideAddress} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {scanStamp, stampAlt} from '../contact.js'
import {blankEvent, detectScore, ipOf, MAX_LINE, port, PROTO_NUMBERS, syslogStamp, syslogWall, tooLong, wallTime} from '../syslog.js'

const IFACES = /(?:^|[\s:])in:(.*?) out:(.*?),?\s+(?=connection-state:|connection-mark:|src-mac |proto |packet-mark:|routing-mark:|hotspot|(?:\[?[0-9a-fA-F:.]+\]?(?::\d+)?->))/
const PROTO = /(?:^|[\s,])proto ([A-Za-z0-9-]+)(?: \(([^)]*)\))?,?\s+(\S+?)->(\S+?)(?:,|\s|$)/
const NAT = /NAT (?:\(([^()\s]+)->([^()\s]+)\)|([^()\s]+))->(?:\(([^()\s]+)->([^()\s]+)\)|([^()\s,]+))/
const LOGPRINT = /^([a-z]{3})\/(\d{2})(?:\/(\d{4}))? (\d{2}):(\d{2}):(\d{2}) /
const COMPLETE = /, len \d+\s*$/
const PORTED = new Set(['tcp', 'udp', 'sctp', 'udplite', 'dccp'])

interface Pending {
  no: number
  host: string
  text: string
  raw: string
  time: Resolved
}

interface Stamp {
  time: Resolved
  rest: number
}

function stampOf(t: string, ctx: ParseContext): Stamp | null | undefined {
  const head = syslogStamp(t, ctx)
  if (head) return {time: head.time, rest: head.rest}
  const m = LOGPRINT.exec(t)
  if (m) {
    const r = m[3]
      ? wallTime(ctx, {year: Number(m[3]), month: monthIndex(m[1]!), day: Number(m[2]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6])})
      : syslogWall(ctx, m[1]!, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]))
    if (!r || Number.isNaN(r.ms)) return undefined
    return {time: r, rest: m[0].length}
  }
  return null
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
function monthIndex(m: string): number {
  return MONTHS.indexOf(m.toLowerCase()) + 1
}

/** "a.b.c.d:p", "a.b.c.d", "[v6]:p", "[v6]", bare v6 without port. */
function endpoint(tok: string, ported: boolean): {ip: string; port: number | null} | undefined {
  if (tok.startsWith('[')) {
    const c = tok.indexOf(']')
    if (c < 0) return undefined
    const ip = ipOf(tok.slice(1, c))
    if (!ip) return undefined
    const rest = tok.slice(c + 1)
    if (!ported) return rest === '' ? {ip, port: null} : undefined
    if (!rest.startsWith(':')) return undefined
    const p = port(rest.slice(1))
    return p === null ? undefined : {ip, port: p}
  }
  const first = tok.indexOf(':')
  if (first >= 0 && tok.indexOf(':', first + 1) >= 0) {
    if (ported) return undefined // bare IPv6 with a port: cannot be split safely
    const ip = ipOf(tok)
    return ip ? {ip, port: null} : undefined
  }
  if (!ported) {
    if (first >= 0) return undefined
    const ip = ipOf(tok)
    return ip ? {ip, port: null} : undefined
  }
  if (first < 0) return undefined
  const ip = ipOf(tok.slice(0, first))
  const p = port(tok.slice(first + 1))
  return ip && p !== null ? {ip, port: p} : undefined
}

/** "<pppoe-anna>" → "anna" (dynamic PPP/VPN server interfaces name the user) */
function userOf(iface: string | null): string | null {
  if (!iface) return null
  const m = /^<(?:pppoe|l2tp|sstp|ovpn|pptp)-(.+)>$/.exec(iface.trim())
  return m ? m[1]! : null
}

function protocolOf(p: string): string | null {
  const l = p.toLowerCase()
  if (/^\d+$/.test(l)) return PROTO_NUMBERS[Number(l)] ?? null
  if (l === 'icmpv6' || l === 'ipv6-icmp' || l === 'icmp6') return 'ipv6-icmp'
  return l
}

/** The message from " in:" on, read into an event; undefined when it is ours but unreadable. */
function readMessage(msg: string, time: Resolved, ev0: {file: string; line: number; text: string}): NatEvent | undefined {
  const im = IFACES.exec(msg)
  const pm = PROTO.exec(msg)
  if (!im || !pm) return undefined
  const inIf = im[1]!.trim()
  const outIf = im[2]!.trim()
  const protocol = protocolOf(pm[1]!)
  const ported = PORTED.has(protocol ?? '')
  const src = endpoint(pm[3]!, ported)
  const dst = endpoint(pm[4]!, ported)
  if (!src || !dst) return undefined
  const nm = msg.indexOf('NAT ') >= 0 ? NAT.exec(msg) : null
  const ev = blankEvent(nm ? 'mapping' : 'packet', time, {...ev0, role: nm ? 'NAT translation' : 'packet'})
  ev.protocol = protocol
  ev.srcIp = src.ip
  ev.srcPort = src.port
  ev.dstIp = dst.ip
  ev.dstPort = dst.port
  ev.iface = inIf
  ev.dir = null
  const inUser = userOf(inIf)
  const outUser = userOf(outIf)
  if (nm) {
    if (nm[1]) {
      // srcnat: (inside->public)->dest  or  (inside->public)->(dest->real dest)
      const a = endpoint(nm[1], ported)
      const b = endpoint(nm[2]!, ported)
      const d = endpoint(nm[4] ?? nm[6]!, ported)
      if (!a || !b || !d) return undefined
      ev.insideIp = a.ip
      ev.insidePort = a.port
      ev.outsideIp = b.ip
      ev.outsidePort = b.port
      ev.destIp = d.ip
      ev.destPort = d.port
      ev.subscriber = inUser
      if (/connection-state:new\b/.test(msg)) ev.phase = 'open' // the first packet: the translation is built here
    } else {
      // dstnat: remote->(public->inside)
      if (!nm[4] || !nm[5]) return undefined
      const r = endpoint(nm[3]!, ported)
      const pub = endpoint(nm[4], ported)
      const ins = endpoint(nm[5], ported)
      if (!r || !pub || !ins) return undefined
      ev.insideIp = ins.ip
      ev.insidePort = ins.port
      ev.outsideIp = pub.ip
      ev.outsidePort = pub.port
      ev.destIp = r.ip
      ev.destPort = r.port
      ev.subscriber = outUser
      if (/connection-state:new\b/.test(msg)) ev.phase = 'open'
    }
    return ev
  }
  if (isInsideAddress(src.ip) || inUser) {
    ev.insideIp = src.ip
    ev.insidePort = src.port
    ev.destIp = dst.ip
    ev.destPort = dst.port
    ev.subscriber = inUser
  } else if (isInsideAddress(dst.ip) || outUser) {
    ev.insideIp = dst.ip
    ev.insidePort = dst.port
    ev.destIp = src.ip
    ev.destPort = src.port
    ev.subscriber = outUser
  }
  return ev
}

/** index where the firewall message's " in:" part starts, or -1 */
function inAt(t: string, from: number): number {
  if (t.startsWith('in:', from)) return from
  const k = t.indexOf(' in:', from)
  return k < 0 ? -1 : k + 1
}

function looksMikrotik(l: string): boolean {
  const k = inAt(l, 0)
  return k >= 0 && l.indexOf(' out:', k) > 0 && l.indexOf('->', k) > 0 && /(?:^|[\s,])proto \w/.test(l)
}

/** the host word of a syslog line (after the stamp), "" when there is none */
function hostAt(t: string, rest: number): string {
  const sp = t.indexOf(' ', rest)
  if (sp < 0) return ''
  const w = t.slice(rest, sp)
  // a topics word ("firewall,info") is not a host
  return /^[a-z]+(,[a-z!]+)+$/.test(w) ? '' : w
}

/** text after the topics word ("firewall,info ") of a continuation record; null when it has no topics word */
function afterTopics(t: string, rest: number, host: string): string | null {
  const i = rest + (host ? host.length + 1 : 0)
  const sp = t.indexOf(' ', i)
  const w = sp < 0 ? '' : t.slice(i, sp)
  return /^[a-z]+(,[a-z!]+)+$/.test(w) ? t.slice(sp + 1) : null
}

const CUT_SRCNAT = /^\s*NAT \(([^()\s]+)->([^()\s]+)\)/

function finish(p: Pending, ctx: ParseContext, complete: boolean): NatEvent | null {
  let msg = p.text
  let cutNat: RegExpExecArray | null = null
  if (!complete) {
    // never read a cut-off last field ("->1.2.3.4:8" of ":80"): keep only fields closed by a comma
    const c = msg.lastIndexOf(',')
    if (c < 0) return null
    cutNat = CUT_SRCNAT.exec(msg.slice(c + 1))
    msg = msg.slice(0, c + 1)
  }
  const ev = readMessage(msg, p.time, {file: ctx.file.display, line: p.no, text: p.raw})
  if (!ev) {
    ctx.malformed({no: p.no, text: p.raw}, complete ? 'RouterOS firewall line without readable "proto P, SRC->DST"' : 'RouterOS firewall message cut off before its addresses')
    return null
  }
  if (cutNat && ev.kind === 'packet') {
    // the cut fell after "NAT (inside->public)": that part is whole, and a srcnat keeps the packet's
    // destination, already read from "SRC->DST"; the inside side must be the packet's source
    const ported = PORTED.has(ev.protocol ?? '')
    const a = endpoint(cutNat[1]!, ported)
    const b = endpoint(cutNat[2]!, ported)
    if (a && b && a.ip === ev.srcIp && a.port === ev.srcPort) {
      ev.kind = 'mapping'
      ev.insideIp = a.ip
      ev.insidePort = a.port
      ev.outsideIp = b.ip
      ev.outsidePort = b.port
      ev.destIp = ev.dstIp ?? null
      ev.destPort = ev.dstPort ?? null
      ev.subscriber = userOf(IFACES.exec(msg)?.[1]?.trim() ?? null)
      ev.evidence.role = 'NAT translation (message cut off after its NAT clause)'
      if (/connection-state:new\b/.test(msg)) ev.phase = 'open'
    }
  }
  return ev
}

export const mikrotik: NatFormat = {
  name: 'mikrotik',
  description: 'MikroTik RouterOS firewall log ("in:IF out:IF, ... proto TCP, SRC->DST, NAT (...)->..., len N")',
  prefilter: true,
  // RouterOS splits a long message over two syslog records: the second half carries no address to filter on
  prefilterAfter: 1,
  // … and the split may cut through the address itself, leaving the needle only in the second half
  prefilterBefore: 1,
  detect(sample) {
    return detectScore(sample, looksMikrotik)
  },
  parse(line: Line, ctx: ParseContext) {
    return fastEvent(line, ctx) ?? parseFull(line, ctx)
  },
  flush(ctx: ParseContext) {
    const pending = ctx.state.mikrotikPending as Pending | undefined
    ctx.state.mikrotikPending = undefined
    if (!pending) return []
    const ev = finish(pending, ctx, false)
    return ev ? [ev] : []
  },
}

/**
 * parse() of one line, every layout (the usual complete remote-syslog line takes the faster way: fastEvent).
 * Exported for the tests that compare both.
 */
export function parseFull(line: Line, ctx: ParseContext): NatEvent | NatEvent[] | null {
  const t = line.text
  if (t.length > MAX_LINE) return tooLong(line, ctx, inAt(t, 0) >= 0 && t.indexOf(' out:') > 0, 'RouterOS firewall')
  const pending = ctx.state.mikrotikPending as Pending | undefined
  const k = inAt(t, 0)
  const isStart = k >= 0 && t.indexOf(' out:', k) > 0 && t.indexOf('->', k) > 0
  if (!isStart && !pending) return null
  const st = stampOf(t, ctx)
  const out: NatEvent[] = []
  if (pending) {
    const host = st ? hostAt(t, st.rest) : ''
    const cont = !isStart && st && host === pending.host && line.no - pending.no <= 3 ? afterTopics(t, st.rest, host) : null
    if (cont !== null) {
      // the second record of a split message: same host, a RouterOS topics word, no message start of its own
      ctx.state.mikrotikPending = undefined
      const joined: Pending = {...pending, text: pending.text + cont, raw: `${pending.raw}\n${t}`}
      const ev = finish(joined, ctx, COMPLETE.test(joined.text))
      return ev
    }
    if (isStart || line.no - pending.no > 3) {
      ctx.state.mikrotikPending = undefined
      const ev = finish(pending, ctx, false)
      if (ev) out.push(ev)
    }
    if (!isStart) return out.length ? out : null
  }
  if (st === undefined || st === null) {
    ctx.malformed(line, 'RouterOS firewall line without a readable date and time')
    return out.length ? out : null
  }
  const msg = t.slice(k)
  if (!COMPLETE.test(msg)) {
    ctx.state.mikrotikPending = {no: line.no, host: hostAt(t, st.rest), text: msg, raw: t, time: st.time} satisfies Pending
    return out.length ? out : null
  }
  const ev = finish({no: line.no, host: '', text: msg, raw: t, time: st.time}, ctx, true)
  if (ev) out.push(ev)
  return out.length === 0 ? null : out.length === 1 ? out[0]! : out
}

/*
 * The fast path: the usual complete record of a remote-syslog RouterOS firewall log, read by hand
 *
 *   STAMP HOST TOPICS PREFIX in:IN out:OUT[,] [connection-state:W[,W…][,] ][src-mac MAC[,] ]proto TCP|UDP|ICMP[ (FLAGS)][,] SRC->DST[, NAT (A->B)->D], len N
 *
 * with dotted-quad endpoints (ip:port for TCP/UDP, bare ip for ICMP), plain interface names and a srcnat clause
 * or none. Every rule below is chosen so that where it accepts, parseFull's regular expressions (IFACES, PROTO,
 * NAT, COMPLETE, "connection-state:new\b") match the same spans; anything else returns null before the stamp
 * is read, and parseFull reads the line. Some rules are stricter than needed (e.g. no "proto" or "NAT " in a
 * name): cheap, and they keep each rule's reason local.
 */

const isDigit = (c: number) => c >= 48 && c <= 57

/** a character of an interface name the fast path accepts (besides single inner spaces): A-Z a-z 0-9 - . _ < > */
function nameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 60 || c === 62
}

/** [0-9a-fA-F:.[\]]: what IFACES' address lookahead "\[?[0-9a-fA-F:.]+\]?(?::\d+)?->" can consume */
const hexRunChar = (c: number) => (c >= 48 && c <= 58) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46 || c === 91 || c === 93

/**
 * What IFACES' lookahead (the end of the out: name) finds at t[p]: 1 "connection-state:", 2 "proto ",
 * 4 "src-mac ", 3 any other of its alternatives (or what could be one: the address alternative is tested
 * loosely), 0 none.
 */
function lookaheadAt(t: string, p: number): number {
  const c = t.charCodeAt(p)
  if (c === 99 /* c */) {
    if (t.startsWith('connection-state:', p)) return 1
    if (t.startsWith('connection-mark:', p)) return 3
  } else if (c === 112 /* p */) {
    if (t.startsWith('proto ', p)) return 2
    if (t.startsWith('packet-mark:', p)) return 3
  } else if (c === 115 /* s */ && t.startsWith('src-mac ', p)) return 4
  else if (t.startsWith('routing-mark:', p) || t.startsWith('hotspot', p)) return 3
  let q = p
  while (hexRunChar(t.charCodeAt(q))) q++
  return q > p && t.charCodeAt(q) === 45 && t.charCodeAt(q + 1) === 62 ? 3 : 0
}

/**
 * t[a, b) is an interface name the fast path takes as is (IFACES' in: group, which trim() leaves alone): not
 * empty, nameChar and single inner spaces, no "->", no "proto" (which PROTO could take for its own start).
 */
function plainName(t: string, a: number, b: number): boolean {
  let prev = 32
  for (let i = a; i < b; i++) {
    const c = t.charCodeAt(i)
    if (c === 32) {
      if (prev === 32) return false
    } else if (!nameChar(c) || (c === 62 && prev === 45) || (c === 112 && t.startsWith('roto', i + 1))) return false
    prev = c
  }
  return prev !== 32
}

/** userOf() of a plainName t[a, b): "<pppoe-anna>" → "anna" */
function userAt(t: string, a: number, b: number): string | null {
  if (t.charCodeAt(a) !== 60 || t.charCodeAt(b - 1) !== 62) return null
  let u = -1
  if (t.startsWith('pppoe-', a + 1)) u = a + 7
  else if (t.startsWith('l2tp-', a + 1) || t.startsWith('sstp-', a + 1) || t.startsWith('ovpn-', a + 1) || t.startsWith('pptp-', a + 1)) u = a + 6
  return u > 0 && u < b - 1 ? t.slice(u, b - 1) : null
}

/** connection-state words the fast path knows */
const CONN_STATES = ['new', 'snat', 'established', 'related', 'invalid', 'untracked', 'dstnat', 'srcnat']

function connState(t: string, p: number, w: number): boolean {
  const n = w - p
  for (const s of CONN_STATES) if (s.length === n && t.startsWith(s, p)) return true
  return false
}

/** the endpoint readEndpoint read: the address as ipOf returns it, the port or null */
let epIp = ''
let epPort: number | null = null

/**
 * endpoint() of the address token at t[a] (a run of 0-9 . :) when it is a canonical dotted quad (what ipOf
 * returns unchanged), followed by ":port" when `ported` and by nothing when not: sets epIp / epPort and gives
 * the index after the token; -1 for anything else (also for what endpoint() might still read, e.g. leading
 * zeros).
 */
function readEndpoint(t: string, a: number, ported: boolean): number {
  let i = a
  let dots = 0
  let val = 0
  let digits = 0
  let c = t.charCodeAt(i)
  for (;;) {
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1
      val = 0
      digits = 0
    } else {
      const d = c - 48
      if (d < 0 || d > 9) break
      if (digits > 0 && val === 0) return -1
      val = val * 10 + d
      if (val > 255) return -1
      digits++
    }
    c = t.charCodeAt(++i)
  }
  if (dots !== 3 || digits === 0) return -1
  const ip = t.slice(a, i)
  if (ported) {
    if (c !== 58) return -1
    const from = ++i
    let v = 0
    for (;;) {
      const d = t.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      v = v * 10 + d
      i++
    }
    if (i === from || i - from > 5 || v > 65535) return -1
    epPort = v
    c = t.charCodeAt(i)
  } else epPort = null
  // the token ends here (no second colon, no fifth octet)
  if (c === 58 || c === 46 || isDigit(c)) return -1
  epIp = ip
  return i
}

/**
 * The record parseFull gives a complete single-record line of the usual remote-syslog layout (see above), the
 * same fields in the same key order; null for any other line, and while a split record waits in ctx.state
 * (then nothing in ctx was touched: the stamp is read last, and scanStamp changes nothing when it finds no
 * stamp). Exported for the tests that compare it with parseFull.
 */
export function fastEvent(line: Line, ctx: ParseContext): NatEvent | null {
  const t = line.text
  const len = t.length
  if (len > MAX_LINE || ctx.state.mikrotikPending !== undefined) return null
  // ", len N" closes the record (COMPLETE)
  let e = len
  while (e > 0 && isDigit(t.charCodeAt(e - 1))) e--
  if (e === len || !t.startsWith(', len ', e - 6)) return null
  const lenAt = e - 6
  // "in:IN out:OUT": inAt(t, 0), then IFACES' lazy groups
  const sp = t.indexOf(' in:')
  if (sp < 0 || t.startsWith('in:')) return null
  const ia = sp + 4
  const o = t.indexOf(' out:', ia)
  if (o <= ia || !plainName(t, ia, o)) return null
  const oa = o + 5
  // the out: name ends where IFACES' ",?\s+(?=…)" first matches
  let p = oa
  let prev = 32
  let look = 0
  let ob: number
  for (;;) {
    const c = t.charCodeAt(p)
    if (c === 32) {
      if (prev === 32) return null
      look = lookaheadAt(t, p + 1)
      if (look !== 0) {
        ob = p
        p += 1
        break
      }
    } else if (c === 44) {
      if (prev === 32 || t.charCodeAt(p + 1) !== 32) return null
      look = lookaheadAt(t, p + 2)
      if (look === 0) return null
      ob = p
      p += 2
      break
    } else if (!nameChar(c) || (c === 62 && prev === 45) || (c === 112 && t.startsWith('roto', p + 1))) return null
    prev = c
    p++
  }
  if (look === 3) return null
  // "connection-state:W,W" (new first: a translation opened here)
  let opens = false
  if (look === 1) {
    p += 17
    opens = t.startsWith('new', p) && (t.charCodeAt(p + 3) === 44 || t.charCodeAt(p + 3) === 32)
    for (;;) {
      let w = p
      while (t.charCodeAt(w) >= 97 && t.charCodeAt(w) <= 122) w++
      if (!connState(t, p, w)) return null
      const c = t.charCodeAt(w)
      if (c === 32) {
        p = w + 1
        break
      }
      if (c !== 44) return null
      if (t.charCodeAt(w + 1) === 32) {
        p = w + 2
        break
      }
      p = w + 1
    }
  }
  // "src-mac MAC[,] " (lower-case hex, as RouterOS writes it)
  if (look === 4 || (look === 1 && t.startsWith('src-mac ', p))) {
    p += 8
    if (!canonicalMacAt(t, p)) return null
    p += 17
    if (t.charCodeAt(p) === 44) p++
    if (t.charCodeAt(p) !== 32) return null
    p++
  }
  if (!t.startsWith('proto ', p)) return null
  // PROTO: "proto NAME[ (FLAGS)][,] SRC->DST"
  p += 6
  let protocol: string
  let ported = true
  if (t.startsWith('TCP', p)) {
    protocol = 'tcp'
    p += 3
  } else if (t.startsWith('UDP', p)) {
    protocol = 'udp'
    p += 3
  } else if (t.startsWith('ICMP', p)) {
    protocol = 'icmp'
    ported = false
    p += 4
  } else return null
  let c = t.charCodeAt(p)
  if (c === 32 && t.charCodeAt(p + 1) === 40) {
    p += 2
    for (;;) {
      c = t.charCodeAt(p)
      if (c === 41) break
      if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32 || c === 44)) return null
      p++
    }
    c = t.charCodeAt(++p)
  }
  if (c === 44) c = t.charCodeAt(++p)
  if (c !== 32) return null
  const sb = readEndpoint(t, p + 1, ported)
  if (sb < 0 || t.charCodeAt(sb) !== 45 || t.charCodeAt(sb + 1) !== 62) return null
  const srcIp = epIp
  const srcPort = epPort
  const db = readEndpoint(t, sb + 2, ported)
  if (db < 0 || t.charCodeAt(db) !== 44) return null
  const dstIp = epIp
  const dstPort = epPort
  // ", NAT (A->B)->D" (srcnat) or nothing before ", len N"; NAT's first "NAT " must be that clause
  const nat = t.indexOf('NAT ', sp)
  let insideIp: string | null = null
  let insidePort: number | null = null
  let outsideIp: string | null = null
  let outsidePort: number | null = null
  let destIp: string | null = null
  let destPort: number | null = null
  let subscriber: string | null = null
  const inUser = userAt(t, ia, o)
  if (db === lenAt) {
    if (nat >= 0) return null
    if (isInsideAddress(srcIp) || inUser) {
      insideIp = srcIp
      insidePort = srcPort
      destIp = dstIp
      destPort = dstPort
      subscriber = inUser
    } else {
      const outUser = userAt(t, oa, ob)
      if (isInsideAddress(dstIp) || outUser) {
        insideIp = dstIp
        insidePort = dstPort
        destIp = srcIp
        destPort = srcPort
        subscriber = outUser
      }
    }
  } else {
    if (nat !== db + 2 || !t.startsWith(', NAT (', db)) return null
    const ab = readEndpoint(t, db + 7, ported)
    if (ab < 0 || t.charCodeAt(ab) !== 45 || t.charCodeAt(ab + 1) !== 62) return null
    insideIp = epIp
    insidePort = epPort
    const bb = readEndpoint(t, ab + 2, ported)
    if (bb < 0 || t.charCodeAt(bb) !== 41 || t.charCodeAt(bb + 1) !== 45 || t.charCodeAt(bb + 2) !== 62) return null
    outsideIp = epIp
    outsidePort = epPort
    if (readEndpoint(t, bb + 3, ported) !== lenAt) return null
    destIp = epIp
    destPort = epPort
    subscriber = inUser
  }
  // every check passed: only now the stamp (its effects on the file's clock happen once, as in parseFull)
  const time = scanStamp(t, ctx)
  if (time === undefined) return null
  const alt = stampAlt(ctx)
  const mapping = outsideIp !== null
  const kind = mapping ? 'mapping' : 'packet'
  const evidence = {file: ctx.file.display, line: line.no, text: t, role: mapping ? 'NAT translation' : 'packet'}
  const iface = t.slice(ia, o)
  // blankEvent's keys (timeAlt last, when there is one), then readMessage's
  const ev: NatEvent =
    alt === undefined
      ? {kind, time, end: null, protocol, insideIp, insidePort, outsideIp, outsidePort, outsidePortEnd: null, destIp, destPort, subscriber, evidence, srcIp, srcPort, dstIp, dstPort, iface, dir: null}
      : {kind, time, end: null, protocol, insideIp, insidePort, outsideIp, outsidePort, outsidePortEnd: null, destIp, destPort, subscriber, evidence, timeAlt: alt, srcIp, srcPort, dstIp, dstPort, iface, dir: null}
  if (mapping && opens) ev.phase = 'open'
  return ev
}
