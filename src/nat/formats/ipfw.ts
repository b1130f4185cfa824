/**
 * FreeBSD ipfw packet log (kernel syslog, usually /var/log/security), as written by
 * sys/netpfil/ipfw/ip_fw_log.c:
 *
 *   Jun 18 15:53:34 gw kernel: ipfw: 1 Count TCP 192.168.0.23:52218 200.160.3.103:6881 in via em0
 *   ipfw: RULE ACTION PROTO SRC[:PORT] DST[:PORT] in|out via IFACE[ (frag ID:LEN@OFF[+])]
 *
 * ACTION may hold spaces ("Forward to 10.0.0.1:3128", "Unreach 3", "Divert 8668"); PROTO is TCP, UDP,
 * UDPLite, SCTP, "ICMP:type.code", "ICMPv6:type.code", "P:num" or MAC; IPv6 addresses are bracketed;
 * non-first fragments carry no ports; "[no if info]" replaces the direction when the kernel has none.
 *
 * One-sided: a line shows the packet at one point of the path (before or after `nat`), never both sides of
 * the translation. We fill src/dst as written; inside/dest only where the line proves them (an inside
 * source = an outbound packet of that client; an inside destination from outside = a reply to it).
 * syslog's "last message repeated N times" right after an ipfw line repeats that packet at its own stamp.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {isInsideAddress, isInsideV4} from '../../io/net.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {reusedContact, scanStamp, stampAlt, type ScanContact} from '../contact.js'
import {detectScore, evidence, ipOf, MAX_LINE, port, PROTO_NUMBERS, syslogStamp, tooLong} from '../syslog.js'

const MARK = 'ipfw: '
const BODY =
  /^(-?\d+) (.+?) (TCP|UDP|UDPLite|UDP-Lite|SCTP|ICMP(?::\d+\.\d+)?|ICMPv6(?::\d+\.\d+)?|P:\d+|MAC)(?: (\S+)(?: (\S+))?)? (?:(in|out) via (\S+)|\[no if info\])(?: \(frag ([^)]*)\))?\s*$/
const REPEAT = /(?:^|\s)(?:last )?message repeated (\d+) times?\s*$/
const SNG_REPEAT = /Last message '[^]*' repeated \d+ times?/

/**
 * The last packet line read (for syslog's "last message repeated N times"): `no` is the line the repeat must
 * follow, `origNo`/`origText` the packet line itself. `ev` is its event; the scan fast path leaves it out and
 * a repeat line rebuilds it from the text.
 */
interface Last {
  no: number
  ev: NatEvent | undefined
  origNo: number
  origText: string
}

/** "[2001:db8::1]:80", "[2001:db8::1]", "192.0.2.1:80", "192.0.2.1" → ip + port (null when absent). */
function addrPort(tok: string, withPort: boolean): {ip: string; port: number | null} | undefined {
  if (tok.charCodeAt(0) === 91 /* [ */) {
    const close = tok.indexOf(']')
    if (close < 0) return undefined
    const ip = ipOf(tok.slice(1, close))
    if (!ip) return undefined
    const after = tok.slice(close + 1)
    if (after === '') return withPort ? undefined : {ip, port: null}
    if (!withPort || after[0] !== ':') return undefined
    const p = port(after.slice(1))
    return p === null ? undefined : {ip, port: p}
  }
  const colon = tok.indexOf(':')
  if (colon >= 0 && tok.indexOf(':', colon + 1) >= 0) {
    // an unbracketed IPv6 address (very old kernels): a port could not be told apart from the address
    if (withPort) return undefined
    const ip = ipOf(tok)
    return ip ? {ip, port: null} : undefined
  }
  if (withPort) {
    if (colon < 0) return undefined
    const ip = ipOf(tok.slice(0, colon))
    const p = port(tok.slice(colon + 1))
    return ip && p !== null ? {ip, port: p} : undefined
  }
  if (colon >= 0) return undefined
  const ip = ipOf(tok)
  return ip ? {ip, port: null} : undefined
}

function protocolOf(p: string): string | null {
  if (p === 'TCP') return 'tcp'
  if (p === 'UDP') return 'udp'
  if (p.startsWith('ICMPv6')) return 'ipv6-icmp'
  if (p.startsWith('ICMP')) return 'icmp'
  if (p === 'SCTP') return 'sctp'
  if (p === 'UDPLite' || p === 'UDP-Lite') return 'udplite'
  if (p.startsWith('P:')) return PROTO_NUMBERS[Number(p.slice(2))] ?? null
  return null
}

const NO_EVIDENCE = {file: '', line: 0, text: ''}

/**
 * Parses the text after "ipfw: " into a packet event (time and evidence set by the caller).
 * undefined = ours but unreadable; null = an ipfw message that is no packet.
 */
function parseBody(body: string): NatEvent | null | undefined {
  const c = body.charCodeAt(0)
  if (!(c === 45 || (c >= 48 && c <= 57))) return null // "limit 5 reached on entry 100", "Entry 100 logging count reset"
  const m = BODY.exec(body)
  if (!m) return undefined
  const proto = m[3]!
  if (proto === 'MAC') return null // layer-2 packet: no addresses
  if (!m[4] || !m[5]) return undefined
  const ported = (proto === 'TCP' || proto === 'UDP' || proto === 'SCTP' || proto === 'UDPLite' || proto === 'UDP-Lite') && m[4].lastIndexOf(':') > m[4].lastIndexOf(']')
  const src = addrPort(m[4], ported)
  const dst = addrPort(m[5], ported)
  if (!src || !dst) return undefined
  // inside = an inside source (outbound packet), else an inside destination (a reply after de-NAT)
  const out = isInsideAddress(src.ip) ? 1 : isInsideAddress(dst.ip) ? 2 : 0
  return {
    kind: 'packet',
    time: 0,
    end: null,
    protocol: protocolOf(proto),
    insideIp: out === 1 ? src.ip : out === 2 ? dst.ip : null,
    insidePort: out === 1 ? src.port : out === 2 ? dst.port : null,
    outsideIp: null,
    outsidePort: null,
    outsidePortEnd: null,
    destIp: out === 1 ? dst.ip : out === 2 ? src.ip : null,
    destPort: out === 1 ? dst.port : out === 2 ? src.port : null,
    subscriber: null,
    srcIp: src.ip,
    srcPort: src.port,
    dstIp: dst.ip,
    dstPort: dst.port,
    dir: (m[6] as 'in' | 'out' | undefined) ?? null,
    iface: m[7] ?? null,
    evidence: NO_EVIDENCE,
  }
}

function looksIpfw(l: string): boolean {
  const k = l.indexOf(MARK)
  if (k < 0) return false
  const body = l.slice(k + MARK.length)
  return BODY.test(body) || (body.endsWith(']') && BODY.test(body.slice(0, -1)))
}

export const ipfw: NatFormat = {
  name: 'ipfw',
  description: 'FreeBSD ipfw packet log (kernel syslog "ipfw: RULE ACTION PROTO SRC DST in|out via IF")',
  prefilter: true,
  detect(sample) {
    return detectScore(sample, looksIpfw)
  },
  parse(line: Line, ctx: ParseContext) {
    return fastPacket(line, ctx) ?? parseFull(line, ctx)
  },
  scanContact(line: Line, ctx: ParseContext, out: ScanContact): ScanContact | null {
    return scanPacket(line, ctx, out)
  },
}

/**
 * parse() of one line, every layout (the usual packet lines scanPacket reads take the faster way: parse()).
 * Exported for the tests that compare both.
 */
export function parseFull(line: Line, ctx: ParseContext): NatEvent | null {
  const t = line.text
  const k = t.indexOf(MARK)
  if (t.length > MAX_LINE) return tooLong(line, ctx, k >= 0, 'ipfw')
  // syslog-ng quotes the start of the repeated message: "Last message 'ipfw: 1 Count TCP 1' repeated 2 times, …"
  const sng = k < 0 ? -1 : t.lastIndexOf("Last message '", k)
  if (k < 0 || sng >= 0) {
    // syslogd's "last message repeated N times" right after one of our lines: the same packet again
    if (t.indexOf('repeated') < 0) return null
    const last = ctx.state.ipfwLast as Last | undefined
    if (!last || last.no !== line.no - 1) return null
    if (!(sng >= 0 ? SNG_REPEAT.test(t) : REPEAT.test(t))) return null
    const head = syslogStamp(t, ctx)
    if (!head) return null
    const orig = last.ev ?? packetOf({no: last.origNo, text: last.origText}, ctx)
    if (!orig) return null
    const ev: NatEvent = {...orig, time: head.time.ms, evidence: evidence(line, ctx, `${orig.evidence.role} (syslog repeat of line ${orig.evidence.line})`)}
    if (head.time.alt !== undefined) ev.timeAlt = head.time.alt
    else delete ev.timeAlt
    ctx.state.ipfwLast = {no: line.no, ev: orig, origNo: last.origNo, origText: last.origText} satisfies Last
    return ev
  }
  const ev = packetOf(line, ctx)
  if (ev === null) return null
  if (ev === undefined) {
    ctx.malformed(line, 'ipfw line without readable "PROTO SRC DST in|out via IF"')
    return null
  }
  const head = syslogStamp(t, ctx)
  if (!head) {
    ctx.malformed(line, 'ipfw line without a readable syslog time stamp')
    return null
  }
  ev.time = head.time.ms
  if (head.time.alt !== undefined) ev.timeAlt = head.time.alt
  ctx.state.ipfwLast = {no: line.no, ev, origNo: line.no, origText: t} satisfies Last
  return ev
}

/**
 * The record parseFull gives a usual packet line ("… ipfw: RULE ACTION TCP|UDP|ICMP A.B.C.D[:p] A.B.C.D[:p] in|out
 * via IF") that scanPacket reads, built from scanPacket's fields: the same fields in the same key order and the
 * same ctx.state.ipfwLast, without the BODY regular expression. null for any other line (then nothing in ctx was
 * touched).
 */
function fastPacket(line: Line, ctx: ParseContext): NatEvent | null {
  const c = reusedContact(ctx, 'ipfwFast')
  if (scanPacket(line, ctx, c) === null) return null
  const t = c.text
  // scanPacket read " in via IF" / " out via IF" with IF up to the end of the line and no space in it
  const via = t.lastIndexOf(' via ')
  const ev: NatEvent = {
    kind: 'packet',
    time: c.time,
    end: null,
    protocol: c.protocol,
    insideIp: c.insideIp,
    insidePort: c.insidePort,
    outsideIp: null,
    outsidePort: null,
    outsidePortEnd: null,
    destIp: c.destIp,
    destPort: c.destPort,
    subscriber: null,
    srcIp: c.srcIp,
    srcPort: c.srcPort,
    dstIp: c.dstIp,
    dstPort: c.dstPort,
    dir: t.charCodeAt(via - 1) === 110 /* "in" */ ? 'in' : 'out',
    iface: t.slice(via + 5),
    evidence: {file: c.file, line: c.line, text: t, role: c.role},
  }
  const alt = stampAlt(ctx)
  if (alt !== undefined) ev.timeAlt = alt
  // scanPacket left the line for a following "last message repeated" as the full parser's state would (the
  // record itself: parseFull keeps it to copy)
  ;(ctx.state.ipfwLast as Last).ev = ev
  return ev
}

/** The packet event of an ipfw line without its time (parseBody + evidence), null / undefined as parseBody. */
function packetOf(line: Line, ctx: ParseContext): NatEvent | null | undefined {
  const t = line.text
  const k = t.indexOf(MARK)
  let body = t.slice(k + MARK.length)
  // rsyslog: "message repeated 3 times: [ ipfw: ...]"
  if (body.endsWith(']') && t.lastIndexOf('repeated', k) >= 0) body = body.slice(0, -1)
  const ev = parseBody(body)
  if (ev) ev.evidence = evidence(line, ctx, ev.insideIp === null ? 'packet' : ev.insideIp === ev.srcIp && ev.insidePort === ev.srcPort ? 'outbound packet' : 'reply packet')
  return ev
}

/** isInsideAddress of a dotted quad from its key (see src/io/net.ts). */
function insideKey(k: number): boolean {
  return isInsideV4(k >>> 24, (k >>> 16) & 255)
}

/** readAddr's results: the address key (0: not a canonical dotted quad), port (-1: none), end of the address */
let A_KEY = 0
let A_PORT = -1
let A_IPEND = 0

/**
 * "A.B.C.D" or "A.B.C.D:port" (port() rules) at t[i…] up to a space: sets A_KEY / A_PORT and returns the index of
 * that space, or -1 (anything else, also 0.0.0.0 and leading zeros: the full parser decides).
 */
function readAddr(t: string, i: number): number {
  let k = 0
  let val = 0
  let digits = 0
  let dots = 0
  const from = i
  let c = t.charCodeAt(i)
  for (; ; c = t.charCodeAt(++i)) {
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1
      k = (k << 8) | val
      dots++
      val = 0
      digits = 0
      continue
    }
    const d = c - 48
    if (d < 0 || d > 9) break
    if ((digits > 0 && val === 0) || digits === 3) return -1
    val = val * 10 + d
    digits++
    if (val > 255) return -1
  }
  if (dots !== 3 || digits === 0 || i - from < 7) return -1
  k = (k << 8) | val
  if (k === 0) return -1
  A_KEY = k
  A_PORT = -1
  A_IPEND = i
  if (c === 58 /* : */) {
    const p0 = ++i
    let v = 0
    for (; (c = t.charCodeAt(i)) >= 48 && c <= 57; i++) v = v * 10 + c - 48
    if (i === p0 || i - p0 > 5 || v > 65535) return -1
    A_PORT = v
  }
  return c === 32 ? i : -1
}

/**
 * The scan fast path: "…ipfw: RULE ACTION (TCP|UDP|ICMP[:t.c]) A.B.C.D[:port] A.B.C.D[:port] in|out via IF" with
 * IPv4 addresses in canonical form, read forward in one pass; null for anything else (IPv6, fragments, other
 * protocols, repeats, rsyslog brackets, other daemons' lines), before any state was touched.
 *
 * BODY's lazy ACTION (.+?) takes the first PROTO after which the rest of the line matches; the rest allows at
 * most two tokens before the final "in|out via IF", so once "PROTO SRC DST in|out via IF" is checked to end the
 * line, no earlier PROTO candidate could match: the first supported protocol word is the one.
 */
function scanPacket(line: Line, ctx: ParseContext, out: ScanContact): ScanContact | null {
  const t = line.text
  const n = t.length
  if (n > MAX_LINE) return null
  const k = t.indexOf(MARK)
  if (k < 0) return null
  const quote = t.indexOf("'")
  if (quote >= 0 && quote < k && t.lastIndexOf("Last message '", k) >= 0) return null
  // RULE: -?\d+ then one space
  let i = k + MARK.length
  if (t.charCodeAt(i) === 45) i++
  const r0 = i
  while (i < n && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++
  if (i === r0 || t.charCodeAt(i) !== 32) return null
  const actionFrom = i + 1
  // ACTION (at least one character, no line breaks or other odd characters) up to " PROTO "
  let protocol: string | null = null
  let ported = false
  let p = actionFrom + 1
  for (; p < n; p++) {
    const c = t.charCodeAt(p - 1)
    if ((c < 32 && c !== 9) || c > 126) return null
    if (t.charCodeAt(p) !== 32) continue
    const q = p + 1
    const c0 = t.charCodeAt(q)
    if (c0 === 84 /* T */ && t.charCodeAt(q + 1) === 67 && t.charCodeAt(q + 2) === 80 && t.charCodeAt(q + 3) === 32) {
      protocol = 'tcp'
      ported = true
      p = q + 3
      break
    }
    if (c0 === 85 /* U */ && t.charCodeAt(q + 1) === 68 && t.charCodeAt(q + 2) === 80 && t.charCodeAt(q + 3) === 32) {
      protocol = 'udp'
      ported = true
      p = q + 3
      break
    }
    if (c0 === 73 /* I */ && t.startsWith('ICMP', q)) {
      const e = t.indexOf(' ', q)
      if (e < 0) return null
      if (e === q + 4 || icmpType(t, q + 4, e)) {
        protocol = 'icmp'
        p = e
        break
      }
    }
  }
  if (protocol === null) return null
  // SRC DST: A.B.C.D:port (TCP/UDP with ports) or A.B.C.D (ICMP, TCP/UDP fragments without ports)
  const srcFrom = p + 1
  const srcTo = readAddr(t, srcFrom)
  if (srcTo < 0) return null
  const sk = A_KEY
  const sPort = A_PORT
  const sIpTo = A_IPEND
  const dstFrom = srcTo + 1
  const dstTo = readAddr(t, dstFrom)
  if (dstTo < 0) return null
  const dk = A_KEY
  const dPort = A_PORT
  const dIpTo = A_IPEND
  const withPorts = sPort >= 0
  if ((dPort >= 0) !== withPorts || (withPorts && !ported)) return null
  // " in via IF" / " out via IF": IF printable ASCII to the end of the line (no "(frag …)", no "]")
  i = dstTo + 1
  const d0 = t.charCodeAt(i)
  if (d0 === 105 /* i */ && t.charCodeAt(i + 1) === 110 && t.charCodeAt(i + 2) === 32) i += 3
  else if (d0 === 111 /* o */ && t.charCodeAt(i + 1) === 117 && t.charCodeAt(i + 2) === 116 && t.charCodeAt(i + 3) === 32) i += 4
  else return null
  if (t.charCodeAt(i) !== 118 /* v */ || t.charCodeAt(i + 1) !== 105 || t.charCodeAt(i + 2) !== 97 || t.charCodeAt(i + 3) !== 32) return null
  i += 4
  if (i >= n) return null
  for (let x = i; x < n; x++) {
    const c = t.charCodeAt(x)
    if (c <= 32 || c > 126) return null
  }
  const end = t.charCodeAt(n - 1)
  if (end === 93 || end === 41) return null
  const time = scanStamp(t, ctx)
  if (time === undefined) return null
  const srcIp = t.slice(srcFrom, sIpTo)
  const dstIp = t.slice(dstFrom, dIpTo)
  const srcPort = withPorts ? sPort : null
  const dstPort = withPorts ? dPort : null
  const o = insideKey(sk) ? 1 : insideKey(dk) ? 2 : 0
  out.kind = 'packet'
  out.time = time
  out.end = null
  out.protocol = protocol
  out.srcIp = srcIp
  out.srcPort = srcPort
  out.dstIp = dstIp
  out.dstPort = dstPort
  out.insideIp = o === 1 ? srcIp : o === 2 ? dstIp : null
  out.insidePort = o === 1 ? srcPort : o === 2 ? dstPort : null
  out.destIp = o === 1 ? dstIp : o === 2 ? srcIp : null
  out.destPort = o === 1 ? dstPort : o === 2 ? srcPort : null
  out.outsideIp = null
  out.outsidePort = null
  out.replied = null
  out.assured = false
  out.srcKey = sk
  out.dstKey = dk
  out.insideKey = o === 1 ? sk : o === 2 ? dk : 0
  out.destKey = o === 1 ? dk : o === 2 ? sk : 0
  out.outsideKey = 0
  out.file = ctx.file.display
  out.line = line.no
  out.text = t
  out.role = o === 0 ? 'packet' : o === 1 ? 'outbound packet' : 'reply packet'
  const last = ctx.state.ipfwLast as Last | undefined
  if (last) {
    last.no = line.no
    last.ev = undefined
    last.origNo = line.no
    last.origText = t
  } else ctx.state.ipfwLast = {no: line.no, ev: undefined, origNo: line.no, origText: t} satisfies Last
  return out
}

/** ":\d+\.\d+" in t[from, to) (ICMP:type.code) */
function icmpType(t: string, from: number, to: number): boolean {
  if (t.charCodeAt(from) !== 58) return false
  let i = from + 1
  const a = i
  while (i < to && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++
  if (i === a || t.charCodeAt(i) !== 46) return false
  const b = ++i
  while (i < to && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++
  return i > b && i === to
}
