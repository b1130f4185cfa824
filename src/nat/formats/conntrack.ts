/**
 * Linux netfilter connection tracking events and table lines (libnetfilter_conntrack's default layout):
 *
 *   [1371581614.123456]	    [NEW] tcp      6 120 SYN_SENT src=A dst=B sport=a dport=b [UNREPLIED] src=B dst=P sport=b dport=p
 *   [1371581734.654321]	[DESTROY] tcp      6 src=A dst=B sport=a dport=b packets=9 bytes=900 src=B dst=P sport=b dport=p packets=8 bytes=800 [ASSURED] mark=0 delta-time=120 [start=Tue Jun 18 15:53:34 2013] [stop=Tue Jun 18 15:55:34 2013] use=1
 *
 * - `conntrack -E -o timestamp`: "[sec.usec]". Old conntrack printed the microseconds with "%-6ld", i.e.
 *   without zero padding and left-aligned: "[1338987414.52626 ]" is .052626 s, so the digits after the dot
 *   are always an integer count of microseconds, never a decimal fraction.
 * - `-o extended` / /proc/net/nf_conntrack put "ipv4     2 " before the protocol.
 * - the same text behind a syslog header (logger, conntrackd, ulogd) takes the header's stamp.
 * - conntrackd's connection log (Stats LogFile: "ctime<TAB>tcp 6 src=… delta-time=N", or its syslog copy
 *   tagged conntrackd) lists flows as they are destroyed: session ends.
 * - a table line (`conntrack -L`, /proc/net/nf_conntrack) has no stamp of its own: with "[start=ctime]"
 *   (nf_conntrack_timestamp) it proves the session's start; without any stamp it cannot be placed in time.
 *
 * Mapping: inside = original source, outside = reply destination (the SNAT address as the peer sees it),
 * destination = original destination. A destination-NAT entry (port forward: the reply comes from another
 * address than the one the client dialled, the source is not translated) is read the other way round:
 * inside = reply source (the server), outside = original destination (the public address), destination =
 * original source (the remote client).
 * NEW → session-start, DESTROY → session-end (time = start when delta-time/[start=] tells it, end = the
 * stamp), UPDATE → mapping (the translation was live at that instant).
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {monthNumber, type Resolved} from '../../io/time.js'
import type {NatEvent, NatKind} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {reusedContact, type ScanContact} from '../contact.js'
import {applyTuples, isPortForward} from '../tuples.js'
import {blankEvent, detectScore, evidence, ipOf, MAX_LINE, port, PROTO_NUMBERS, syslogStamp, tooLong, wallTime} from '../syslog.js'

const EVENT = /\[(NEW|UPDATE|DESTROY)\]/
const PROTO = /^(?:(ipv4|ipv6)\s+\d+\s+)?([a-z][a-z0-9-]*)\s+(\d{1,3})\s/
const CTIME = /\[(start|stop)=\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]/g
const PORTED = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp'])
/** conntrackd's log file: ctime(3) then a tab ('Tue Jun 18 15:53:34 2013\t'), bracketed in some versions */
const CTIME_AT = /^\[?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\]?\s+/

interface Tuple {
  src?: string
  dst?: string
  sport?: string
  dport?: string
}

/** "[1338987414.52626 ]" / "[1371581614.123456]" at `i` → ms, and the index after "]". */
function epochStamp(t: string, i: number): {ms: number; next: number} | undefined {
  const close = t.indexOf(']', i)
  if (close < 0 || close - i > 32) return undefined
  const inner = t.slice(i + 1, close).trim()
  const m = /^(\d{9,11})(?:\.(\d{1,6}))?$/.exec(inner)
  if (!m) return undefined
  const us = m[2] ? Number(m[2]) : 0 // integer microseconds (see header comment)
  return {ms: Number(m[1]) * 1000 + Math.floor(us / 1000), next: close + 1}
}

function skipSpaces(t: string, i: number): number {
  while (i < t.length && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++
  return i
}

function ctimeOf(body: string, which: 'start' | 'stop', ctx: ParseContext): Resolved | undefined {
  CTIME.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = CTIME.exec(body))) {
    if (m[1] !== which) continue
    const month = monthNumber(m[2]!)
    if (!month) return undefined
    const r = wallTime(ctx, {year: Number(m[7]), month, day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6])})
    return Number.isNaN(r.ms) ? undefined : r
  }
  return undefined
}

const TABLE_LINE = /(?:^|\s)(?:ipv[46]\s+\d+\s+)?(?:tcp|udp|udplite|icmp|icmpv6|sctp|dccp|gre|unknown)\s+\d{1,3}\s(?:[^=]*\s)?src=\S+ dst=\S+/

function looksConntrack(l: string): boolean {
  if (l.indexOf(' src=') < 0 || l.indexOf(' dst=') < 0) return false
  if (EVENT.test(l)) return true
  return TABLE_LINE.test(l.slice(0, 1000))
}

export const conntrack: NatFormat = {
  name: 'conntrack',
  description: 'Linux conntrack events (conntrack -E [-o timestamp]), /proc/net/nf_conntrack and conntrack -L lines',
  prefilter: true,
  detect(sample) {
    return detectScore(sample, looksConntrack)
  },
  parse(line: Line, ctx: ParseContext) {
    return fastEvent(line, ctx) ?? parseFull(line, ctx)
  },
  scanContact(line: Line, ctx: ParseContext, out: ScanContact): ScanContact | null {
    return scanEvent(line, ctx, out)
  },
}

/**
 * parse() of one line, every layout (the `-o timestamp` events scanEvent reads take the faster way: parse()).
 * Exported for the tests that compare both.
 */
export function parseFull(line: Line, ctx: ParseContext): NatEvent | null {
  const t = line.text
  if (t.indexOf('src=') < 0) return null
  if (t.length > MAX_LINE) return tooLong(line, ctx, EVENT.test(t.slice(0, 200)), 'conntrack')
  // time stamp: "[epoch.usec]" first, or a syslog header (possibly followed by "[epoch.usec]")
  let i = skipSpaces(t, 0)
  let time: Resolved | undefined
  // conntrackd's connection log (Stats LogFile, or its syslog copy) writes flows as they are destroyed
  let conntrackd = false
  const cm = CTIME_AT.exec(t)
  if (cm) {
    const month = monthNumber(cm[1]!)
    if (month) {
      const r = wallTime(ctx, {year: Number(cm[6]), month, day: Number(cm[2]), hour: Number(cm[3]), minute: Number(cm[4]), second: Number(cm[5])})
      if (!Number.isNaN(r.ms)) time = r
    }
    i = cm[0].length
    conntrackd = true
  } else if (t.charCodeAt(i) === 91 /* [ */) {
    const e = epochStamp(t, i)
    if (e) {
      time = {ms: e.ms}
      i = e.next
    }
  } else {
    const head = syslogStamp(t, ctx)
    if (head) {
      time = head.time
      i = head.rest
      const srcAt = t.indexOf('src=')
      // "host tag[pid]: message"
      const colon = t.indexOf(': ', i)
      if (colon > 0 && colon < srcAt) {
        const tag = t.slice(i, colon).split(' ').pop() ?? ''
        if (/^conntrackd(?:\[\d+\])?$/.test(tag)) conntrackd = true
        i = colon + 2
      }
      const b = t.indexOf('[', i)
      if (b >= 0 && b < srcAt) {
        const e = epochStamp(t, b)
        if (e) {
          time = {ms: e.ms}
          i = e.next
        }
      }
    }
  }
  const em = EVENT.exec(t)
  let bodyStart: number
  let kind: NatKind
  if (em) {
    bodyStart = em.index + em[0].length
    kind = em[1] === 'NEW' ? 'session-start' : em[1] === 'DESTROY' ? 'session-end' : 'mapping'
  } else {
    // a table line: "ipv4 2 tcp 6 431999 ESTABLISHED src=..." or "tcp 6 431999 ESTABLISHED src=..."
    bodyStart = i
    kind = conntrackd ? 'session-end' : 'mapping'
  }
  const body = t.slice(skipSpaces(t, bodyStart))
  const pm = PROTO.exec(body)
  if (!pm) return null // "src=" in some other daemon's text
  const protoNum = Number(pm[3])
  const protoName = pm[2]!
  const protocol = PROTO_NUMBERS[protoNum] ?? (protoName === 'unknown' ? null : protoName)
  // key=value tokens: the first src= opens the original tuple, the second the reply tuple
  const orig: Tuple = {}
  const repl: Tuple = {}
  let cur: Tuple | null = null
  let unreplied = false
  let assured = false
  let delta: number | null = null
  const toks = body.slice(pm[0].length).split(/\s+/)
  for (const tok of toks) {
    if (tok === '[UNREPLIED]') unreplied = true
    else if (tok === '[ASSURED]') assured = true
    const eq = tok.indexOf('=')
    if (eq < 0) continue
    const k = tok.slice(0, eq)
    const v = tok.slice(eq + 1)
    if (k === 'src') {
      if (cur === null) cur = orig
      else if (cur === orig) cur = repl
      else break
      cur.src = v
    } else if (cur && (k === 'dst' || k === 'sport' || k === 'dport')) {
      if (cur[k] === undefined) cur[k] = v
    } else if (k === 'delta-time') delta = Number(v)
  }
  const oSrc = orig.src ? ipOf(orig.src) : null
  const oDst = orig.dst ? ipOf(orig.dst) : null
  const rSrc = repl.src ? ipOf(repl.src) : null
  const rDst = repl.dst ? ipOf(repl.dst) : null
  if (!oSrc || !oDst || !rSrc || !rDst) {
    ctx.malformed(line, 'conntrack entry without both tuples (src=/dst= original and reply)')
    return null
  }
  const ported = PORTED.has(protocol ?? '')
  const oSport = port(orig.sport)
  const oDport = port(orig.dport)
  const rSport = port(repl.sport)
  const rDport = port(repl.dport)
  if (ported && (oSport === null || oDport === null || rSport === null || rDport === null)) {
    ctx.malformed(line, `conntrack ${protocol} entry without readable sport=/dport= in both tuples`)
    return null
  }
  // time: the event stamp; a table line may carry [start=ctime] (nf_conntrack_timestamp)
  let start: Resolved | undefined
  if (body.indexOf('[start=') >= 0) start = ctimeOf(body, 'start', ctx)
  if (!time && em?.[1] === 'DESTROY' && body.indexOf('[stop=') >= 0) time = ctimeOf(body, 'stop', ctx)
  if (!time && em?.[1] === 'NEW') time = start
  if (!time) {
    if (em) {
      ctx.malformed(line, 'conntrack event without a time stamp (use conntrack -E -o timestamp)')
      return null
    }
    if (!start) {
      ctx.malformed(line, 'conntrack table entry without a time stamp: it cannot be placed in time')
      return null
    }
    time = start
    kind = 'session-start'
  }
  let ev: NatEvent
  if (kind === 'session-end') {
    const stop = time
    let begin: Resolved | undefined = start
    if (!begin && delta !== null && Number.isFinite(delta) && delta >= 0) begin = {ms: stop.ms - delta * 1000}
    ev = blankEvent(kind, begin ?? stop, evidence(line, ctx, 'conntrack DESTROY'))
    ev.end = stop.ms
  } else ev = blankEvent(kind, time, evidence(line, ctx, em ? `conntrack ${em[1]}` : 'conntrack table entry'))
  if (kind === 'mapping') ev.phase = 'interim' // an UPDATE: the translation is live at this instant
  ev.protocol = protocol
  applyTuples(
    ev,
    {src: oSrc, dst: oDst, sport: ported ? oSport : null, dport: ported ? oDport : null},
    {src: rSrc, dst: rDst, sport: ported ? rSport : null, dport: ported ? rDport : null},
  )
  ev.replied = assured ? true : !unreplied
  return ev
}

/**
 * The record parseFull gives a `conntrack -E -o timestamp` event line that scanEvent reads (the usual line of
 * these logs), built from scanEvent's fields: the same fields in the same order, about three times faster than
 * tokenising the line by regular expressions. null for any other line (then nothing in ctx was touched).
 */
function fastEvent(line: Line, ctx: ParseContext): NatEvent | null {
  const c = reusedContact(ctx, 'conntrackFast')
  if (scanEvent(line, ctx, c) === null) return null
  const ev: NatEvent = {
    kind: c.kind,
    time: c.time,
    end: c.end,
    protocol: c.protocol,
    insideIp: c.insideIp,
    insidePort: c.insidePort,
    outsideIp: c.outsideIp,
    outsidePort: c.outsidePort,
    outsidePortEnd: null,
    destIp: c.destIp,
    destPort: c.destPort,
    subscriber: null,
    evidence: {file: c.file, line: c.line, text: c.text, role: c.role},
  }
  if (c.kind === 'mapping') ev.phase = 'interim'
  ev.replied = c.replied
  return ev
}

const isDigit = (c: number) => c >= 48 && c <= 57

/**
 * A canonical dotted quad in t[from, to) (what ipOf returns unchanged) as an int32 (quadKey), else 0 (also
 * 0.0.0.0: the full parser reads that one).
 */
function quad(t: string, from: number, to: number): number {
  const n = to - from
  if (n < 7 || n > 15) return 0
  let dots = 0
  let val = 0
  let digits = 0
  let k = 0
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i)
    if (c === 46) {
      if (digits === 0) return 0
      k = (k << 8) | val
      dots++
      val = 0
      digits = 0
    } else {
      const d = c - 48
      if (d < 0 || d > 9 || (digits > 0 && val === 0)) return 0
      val = val * 10 + d
      digits++
      if (val > 255) return 0
    }
  }
  return dots === 3 && digits > 0 ? (k << 8) | val : 0
}

/** port() on t[from, to): 1-5 digits up to 65535, else -1 (also for an absent value: from < 0) */
function portAt(t: string, from: number, to: number): number {
  const n = to - from
  if (from < 0 || n < 1 || n > 5) return -1
  let v = 0
  for (let i = from; i < to; i++) {
    const d = t.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v <= 65535 ? v : -1
}

/** the event tag right after the stamp: 0 NEW, 1 UPDATE, 2 DESTROY, -1 none */
function eventAt(t: string, i: number): number {
  if (t.startsWith('[NEW]', i)) return 0
  if (t.startsWith('[DESTROY]', i)) return 2
  if (t.startsWith('[UPDATE]', i)) return 1
  return -1
}

/** "?port" at t[a]: the "port" of sport= / dport= (the caller checked the first letter and the length) */
const port5 = (t: string, a: number) => t.charCodeAt(a + 1) === 112 && t.charCodeAt(a + 2) === 111 && t.charCodeAt(a + 3) === 114 && t.charCodeAt(a + 4) === 116

const TAG_LEN = [5, 8, 9]
/** anything but printable ASCII and the space */
const ODD = /[^\x20-\x7e]/g
const ROLE = ['conntrack NEW', 'conntrack UPDATE', 'conntrack DESTROY']

/**
 * The scan fast path for `conntrack -E -o timestamp` events, "[sec.usec]\t[NEW|UPDATE|DESTROY] proto num …
 * src= dst= sport= dport= … src= dst= sport= dport= …", IPv4 in canonical form, no [start=]/[stop=] stamps:
 * the NatEvent fields parse() would give (same tuple rules, same DESTROY start from delta-time). null for
 * anything else (syslog-wrapped or conntrackd lines, table lines, IPv6, odd characters, lines parse() would
 * report as malformed); nothing in ctx is touched.
 */
function scanEvent(line: Line, ctx: ParseContext, out: ScanContact): ScanContact | null {
  const t = line.text
  const n = t.length
  if (n > MAX_LINE) return null
  let i = 0
  while (i < n && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9)) i++
  // "[1371581614.123456]" / "[1338987414.52626 ]" (epochStamp)
  if (t.charCodeAt(i) !== 91) return null
  const close = t.indexOf(']', i)
  if (close < 0 || close - i > 32) return null
  let j = i + 1
  while (t.charCodeAt(j) === 32) j++
  const s0 = j
  let sec = 0
  while (isDigit(t.charCodeAt(j))) sec = sec * 10 + t.charCodeAt(j++) - 48
  if (j - s0 < 9 || j - s0 > 11) return null
  let us = 0
  if (t.charCodeAt(j) === 46) {
    const u0 = ++j
    while (isDigit(t.charCodeAt(j))) us = us * 10 + t.charCodeAt(j++) - 48
    if (j - u0 < 1 || j - u0 > 6) return null
  }
  while (t.charCodeAt(j) === 32) j++
  if (j !== close) return null
  const stamp = sec * 1000 + Math.floor(us / 1000)
  // the event tag
  i = close + 1
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++
  const ek = eventAt(t, i)
  if (ek < 0) return null
  i += TAG_LEN[ek]!
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++
  // PROTO: name (no "ipv4 2" prefix here: parse() reads it), whitespace, 1-3 digits, one whitespace
  const name0 = i
  let c = t.charCodeAt(i)
  if (!(c >= 97 && c <= 122)) return null
  if (c === 105 && t.startsWith('ipv', i)) return null
  while (((c = t.charCodeAt(i)) >= 97 && c <= 122) || isDigit(c) || c === 45) i++
  const name1 = i
  if (!(c === 32 || c === 9)) return null
  while ((c = t.charCodeAt(i)) === 32 || c === 9) i++
  const num0 = i
  let num = 0
  while (isDigit((c = t.charCodeAt(i)))) num = num * 10 + t.charCodeAt(i++) - 48
  if (i === num0 || i - num0 > 3 || !(c === 32 || c === 9)) return null
  // "[start=ctime]" (nf_conntrack_timestamp): parse() reads it in the file's zone
  if (t.indexOf('[start=', name0) >= 0) return null
  const named = PROTO_NUMBERS[num]
  const protoName = named === undefined ? t.slice(name0, name1) : ''
  const protocol = named ?? (protoName === 'unknown' ? null : protoName)
  const ported = protocol === 'tcp' || protocol === 'udp' || protocol === 'udplite' || protocol === 'sctp' || protocol === 'dccp'
  // tokens (split on runs of spaces/tabs); value bounds of the original and reply tuples
  let oSrc = -1, oSrcE = -1, oDst = -1, oDstE = -1, oSp = -1, oSpE = -1, oDp = -1, oDpE = -1
  let rSrc = -1, rSrcE = -1, rDst = -1, rDstE = -1, rSp = -1, rSpE = -1, rDp = -1, rDpE = -1
  let cur = 0 // 0 none, 1 original, 2 reply
  let unreplied = false
  let assured = false
  let delta0 = -1
  let delta1 = -1
  // tokens separated by spaces only (a tab, other whitespace, control or non-ASCII characters after the protocol:
  // parse() decides — Unicode spaces split tokens there); then indexOf finds each token's end and its "="
  ODD.lastIndex = i
  if (ODD.test(t)) return null
  while (i < n) {
    if (t.charCodeAt(i) === 32) {
      i++
      continue
    }
    const a = i
    i = t.indexOf(' ', a)
    if (i < 0) i = n
    const c0 = t.charCodeAt(a)
    if (c0 === 91) {
      // a flag (one with "=" in it is neither of these)
      const len = i - a
      if (len === 11 && t.charCodeAt(a + 1) === 85 && t.startsWith('[UNREPLIED]', a)) unreplied = true
      else if (len === 9 && t.charCodeAt(a + 1) === 65 && t.startsWith('[ASSURED]', a)) assured = true
      continue
    }
    // only src= dst= sport= dport= delta-time= are read: any other token is passed over without looking for "="
    if (c0 !== 115 && c0 !== 100) continue
    const eq = t.indexOf('=', a)
    if (eq < 0 || eq >= i) continue
    const kl = eq - a
    const v = eq + 1
    if (kl === 3 && c0 === 115 && t.charCodeAt(a + 1) === 114 && t.charCodeAt(a + 2) === 99) {
      // src=
      if (cur === 0) {
        cur = 1
        oSrc = v
        oSrcE = i
      } else if (cur === 1) {
        cur = 2
        rSrc = v
        rSrcE = i
      } else break
    } else if (cur !== 0 && kl === 3 && c0 === 100 && t.charCodeAt(a + 1) === 115 && t.charCodeAt(a + 2) === 116) {
      if (cur === 1) {
        if (oDst < 0) (oDst = v), (oDstE = i)
      } else if (rDst < 0) (rDst = v), (rDstE = i)
    } else if (cur !== 0 && kl === 5 && c0 === 115 && port5(t, a)) {
      if (cur === 1) {
        if (oSp < 0) (oSp = v), (oSpE = i)
      } else if (rSp < 0) (rSp = v), (rSpE = i)
    } else if (cur !== 0 && kl === 5 && c0 === 100 && port5(t, a)) {
      if (cur === 1) {
        if (oDp < 0) (oDp = v), (oDpE = i)
      } else if (rDp < 0) (rDp = v), (rDpE = i)
    } else if (kl === 10 && c0 === 100 && t.startsWith('delta-time', a)) {
      delta0 = v
      delta1 = i
    }
  }
  if (oDst < 0 || rDst < 0) return null
  const osk = quad(t, oSrc, oSrcE)
  const odk = quad(t, oDst, oDstE)
  const rsk = quad(t, rSrc, rSrcE)
  const rdk = quad(t, rDst, rDstE)
  if (osk === 0 || odk === 0 || rsk === 0 || rdk === 0) return null
  let osp: number | null = null
  let odp: number | null = null
  let rsp: number | null = null
  let rdp: number | null = null
  if (ported) {
    osp = portAt(t, oSp, oSpE)
    odp = portAt(t, oDp, oDpE)
    rsp = portAt(t, rSp, rSpE)
    rdp = portAt(t, rDp, rDpE)
    if (osp < 0 || odp < 0 || rsp < 0 || rdp < 0) return null
  }
  const os = t.slice(oSrc, oSrcE)
  const od = t.slice(oDst, oDstE)
  const rs = t.slice(rSrc, rSrcE)
  const rd = t.slice(rDst, rDstE)
  let time = stamp
  if (ek === 2 && delta0 >= 0) {
    const delta = Number(t.slice(delta0, delta1))
    if (Number.isFinite(delta) && delta >= 0) time = stamp - delta * 1000
  }
  out.kind = ek === 0 ? 'session-start' : ek === 2 ? 'session-end' : 'mapping'
  out.time = time
  out.end = ek === 2 ? stamp : null
  out.protocol = protocol
  // applyTuples' rule (../tuples.ts), on the keys (canonical quads: equal keys = equal strings)
  if (isPortForward(osk, osp, odk, odp, rsk, rsp, rdk, rdp)) {
    out.insideIp = rs
    out.insidePort = rsp
    out.outsideIp = od
    out.outsidePort = odp
    out.destIp = os
    out.destPort = osp
    out.insideKey = rsk
    out.outsideKey = odk
    out.destKey = osk
  } else {
    out.insideIp = os
    out.insidePort = osp
    out.outsideIp = rd
    out.outsidePort = rdp
    out.destIp = od
    out.destPort = odp
    out.insideKey = osk
    out.outsideKey = rdk
    out.destKey = odk
  }
  out.srcKey = 0
  out.dstKey = 0
  out.srcIp = null
  out.srcPort = null
  out.dstIp = null
  out.dstPort = null
  out.replied = assured ? true : !unreplied
  out.assured = assured
  out.file = ctx.file.display
  out.line = line.no
  out.text = t
  out.role = ROLE[ek]!
  return out
}
