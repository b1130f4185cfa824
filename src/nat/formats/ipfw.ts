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
import {isInsideAddress} from '../../io/net.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {detectScore, evidence, ipOf, MAX_LINE, port, PROTO_NUMBERS, syslogStamp, tooLong} from '../syslog.js'

const MARK = 'ipfw: '
const BODY =
  /^(-?\d+) (.+?) (TCP|UDP|UDPLite|UDP-Lite|SCTP|ICMP(?::\d+\.\d+)?|ICMPv6(?::\d+\.\d+)?|P:\d+|MAC)(?: (\S+)(?: (\S+))?)? (?:(in|out) via (\S+)|\[no if info\])(?: \(frag ([^)]*)\))?\s*$/
const REPEAT = /(?:^|\s)(?:last )?message repeated (\d+) times?\s*$/
const SNG_REPEAT = /Last message '[^]*' repeated \d+ times?/

interface Last {
  no: number
  ev: NatEvent
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
      const ev: NatEvent = {...last.ev, time: head.time.ms, evidence: evidence(line, ctx, `${last.ev.evidence.role} (syslog repeat of line ${last.ev.evidence.line})`)}
      if (head.time.alt !== undefined) ev.timeAlt = head.time.alt
      else delete ev.timeAlt
      ctx.state.ipfwLast = {no: line.no, ev: last.ev} satisfies Last
      return ev
    }
    let body = t.slice(k + MARK.length)
    // rsyslog: "message repeated 3 times: [ ipfw: ...]"
    if (body.endsWith(']') && t.lastIndexOf('repeated', k) >= 0) body = body.slice(0, -1)
    const ev = parseBody(body)
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
    ev.evidence = evidence(line, ctx, ev.insideIp === null ? 'packet' : ev.insideIp === ev.srcIp && ev.insidePort === ev.srcPort ? 'outbound packet' : 'reply packet')
    ctx.state.ipfwLast = {no: line.no, ev} satisfies Last
    return ev
  },
}
