/**
 * Juniper SRX (and MX-SPC3 next-gen services) flow session logs, RT_FLOW_SESSION_CREATE / _CLOSE
 * (also the _USF / _LS variants and APPTRACK_SESSION_CREATE / _CLOSE), in both forms Junos writes:
 *
 * Structured (RFC 5424, "set security log format sd-syslog"):
 *   <14>1 2025-03-14T10:15:02.118+01:00 srx-edge RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129
 *     reason="TCP FIN" source-address="10.3.0.20" source-port="50123" destination-address="198.51.100.7"
 *     destination-port="443" … nat-source-address="203.0.113.20" nat-source-port="31002" … protocol-id="6" …
 *     elapsed-time="12" …]
 *
 * Legacy positional text ("brief" syslog):
 *   RT_FLOW_SESSION_CREATE: session created 10.3.0.20/50123->198.51.100.7/443 junos-https
 *     203.0.113.20/31002->198.51.100.7/443 source rule r1 N/A N/A 6 trust-to-untrust trust untrust 4711 N/A(N/A) ge-0/0/1.0 …
 *   RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.3.0.20/50123->198.51.100.7/443 junos-https
 *     203.0.113.20/31002->198.51.100.7/443 source rule r1 N/A N/A 6 trust-to-untrust trust untrust 4711 9(1012) 8(6120) 12 …
 *
 * inside = source-address/port, outside = nat-source-address/port (equal to the source when no source NAT
 * applied: reported as written), destination = destination-address/port (pre-destination-NAT, the address
 * the client connected to). Inbound destination NAT (a public source, no source NAT, a nat-destination
 * inside) is turned round: inside = nat-destination (the server), outside = destination (its public
 * address), destination = the public source. A CLOSE record is written when the session ends: end = the record's time,
 * start = end − elapsed-time (seconds). In the positional form the protocol-id column is found relative to
 * the "packets(bytes)" columns (CLOSE) or the "user(roles)" column (CREATE); when neither is there the
 * protocol stays null.
 *
 * MX MS-MPC / MS-DPC service-set session logs (JSERVICES_SESSION_OPEN/CLOSE, MSVCS_LOG_SESSION_OPEN/CLOSE):
 *   {cgn-sset}[jservices-nat]: JSERVICES_SESSION_OPEN: application:none, xe-1/0/0.0 100.64.7.21:40001 [203.0.113.70:2049] -> 198.51.100.7:443 (TCP)
 * inside, [translated], destination; the CLOSE carries no duration (end = its time, start unknown).
 *
 * Port-block lines (RT_SRC_NAT_PBA_*, JSERVICES_NAT_PORT_BLOCK_*) met in the same file are read by the
 * juniper-pba format.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp, isInsideAddress} from '../../io/net.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, port, PROTO_NUMBERS, MAX_RECORD_LINE, tooLong} from '../syslog.js'
import {ciscoStamp, startBefore} from './cisco-asa.js'
import {juniperPba, PBA_MARKS, sdParams} from './juniper-pba.js'

const TAG = /\b(RT_FLOW_SESSION|APPTRACK_SESSION)_(CREATE|CLOSE)(?:_USF|_LS)?\b:?/
const MS_SESSION =
  /\b(?:JSERVICES_SESSION|MSVCS_LOG_SESSION)_(OPEN|CLOSE)\b:?.*?\s([0-9A-Fa-f.:]+?):(\d+) \[([0-9A-Fa-f.:]+?):(\d+)\] -> ([0-9A-Fa-f.:]+?):(\d+) \(([A-Za-z0-9-]+)\)/
const PAIR = /([0-9A-Fa-f.:]+)\/(\d+)->([0-9A-Fa-f.:]+)\/(\d+)/g
function protoNum(s: string | undefined): string | null {
  if (!s || !/^\d{1,3}$/.test(s)) return null
  return PROTO_NUMBERS[Number(s)] ?? null
}

function seconds(s: string | undefined): number | null {
  if (!s || !/^\d{1,10}$/.test(s)) return null
  return Number(s)
}

function usable(v: string | undefined): string | null {
  if (!v) return null
  const t = v.trim()
  return t === '' || t === 'N/A' || t === 'NA' || t === 'None' || t === 'UNKNOWN' ? null : t
}


function parse(line: Line, ctx: ParseContext): NatEvent | NatEvent[] | null {
  const text = line.text
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, DETECT.test(text.slice(0, 512)), 'Junos RT_FLOW', MAX_RECORD_LINE)
  if (!text.includes('_SESSION_')) {
    for (const mark of PBA_MARKS) if (text.includes(mark)) return juniperPba.parse(line, ctx)
    return null
  }
  const tag = TAG.exec(text)
  if (!tag) return text.includes('SESSION_OPEN') || text.includes('SESSION_CLOSE') ? parseMsSession(line, ctx) : null
  const close = tag[2] === 'CLOSE'
  const name = `${tag[1]}_${tag[2]}`
  const bad = (why: string) => {
    ctx.malformed(line, `${name}: ${why}`)
    return null
  }
  const t = ciscoStamp(text, tag.index, ctx)
  if (!t) return bad('no readable time stamp')
  const after = tag.index + tag[0].length
  let inside: string | null, insidePort: number | null
  let outside: string | null, outsidePort: number | null
  let dest: string | null, destPort: number | null
  let protocol: string | null = null
  let elapsed: number | null = null
  let user: string | null = null
  let natDest: string | null = null
  let natDestPort: number | null = null
  const bracket = text.indexOf('[', after)
  if (bracket >= 0 && text.includes('source-address="', bracket)) {
    const p = sdParams(text, bracket)
    inside = canonicalIp(p.get('source-address') ?? '')
    insidePort = port(p.get('source-port'))
    outside = canonicalIp(p.get('nat-source-address') ?? '')
    outsidePort = port(p.get('nat-source-port'))
    dest = canonicalIp(p.get('destination-address') ?? '')
    destPort = port(p.get('destination-port'))
    natDest = canonicalIp(p.get('nat-destination-address') ?? '')
    natDestPort = port(p.get('nat-destination-port'))
    protocol = protoNum(p.get('protocol-id'))
    elapsed = seconds(p.get('elapsed-time'))
    user = usable(p.get('username'))
    if (!inside || !dest) return bad('source-address / destination-address missing or unreadable')
    if (close && elapsed === null && p.has('elapsed-time')) return bad('elapsed-time unreadable')
  } else {
    PAIR.lastIndex = after
    const pre = PAIR.exec(text)
    const post = pre ? PAIR.exec(text) : null
    if (!pre || !post) return bad('expected "src/port->dst/port service nat-src/port->nat-dst/port"')
    inside = canonicalIp(pre[1]!)
    insidePort = port(pre[2])
    dest = canonicalIp(pre[3]!)
    destPort = port(pre[4])
    outside = canonicalIp(post[1]!)
    outsidePort = port(post[2])
    natDest = canonicalIp(post[3]!)
    natDestPort = port(post[4])
    if (!inside || !dest || !outside || insidePort === null || outsidePort === null) return bad('addresses or ports unreadable')
    const toks = text.slice(PAIR.lastIndex).trim().split(/\s+/)
    if (close) {
      for (let k = 5; k + 2 < toks.length; k++) {
        if (/^\d+\(\d+\)$/.test(toks[k]!) && /^\d+\(\d+\)$/.test(toks[k + 1]!) && /^\d+$/.test(toks[k + 2]!)) {
          elapsed = seconds(toks[k + 2])
          protocol = protoNum(toks[k - 5])
          break
        }
      }
    } else {
      for (let k = 5; k < toks.length; k++) {
        const um = /^(.+)\((.*)\)$/.exec(toks[k]!)
        if (um && /^\d+$/.test(toks[k - 1]!)) {
          protocol = protoNum(toks[k - 5])
          user = usable(um[1])
          break
        }
      }
    }
  }
  const e = blankEvent(close ? 'session-end' : 'session-start', t, evidence(line, ctx, close ? 'session closed' : 'session created'))
  e.protocol = protocol
  e.insideIp = inside
  e.insidePort = insidePort
  e.outsideIp = outside
  e.outsidePort = outsidePort
  e.destIp = dest
  e.destPort = destPort
  e.subscriber = user
  if (natDest && natDest !== dest && (outside === null || outside === inside) && !isInsideAddress(inside) && isInsideAddress(natDest)) {
    // inbound destination NAT (a public peer reached a server behind the public address): the server is the
    // inside host, the address the peer connected to is its public side, the peer is the remote end
    e.insideIp = natDest
    e.insidePort = natDestPort
    e.outsideIp = dest
    e.outsidePort = destPort
    e.destIp = inside
    e.destPort = insidePort
  }
  if (close) {
    e.end = t.ms
    if (elapsed !== null) startBefore(e, elapsed * 1000)
  }
  return e
}

/** MX MS-MPC / MS-DPC service-set session logs: "inside:port [translated:port] -> dest:port (PROTO)". */
function parseMsSession(line: Line, ctx: ParseContext): NatEvent | null {
  const text = line.text
  const m = MS_SESSION.exec(text)
  if (!m) {
    if (/\b(?:JSERVICES_SESSION|MSVCS_LOG_SESSION)_(?:OPEN|CLOSE)\b/.test(text)) ctx.malformed(line, 'session log: expected "inside:port [translated:port] -> destination:port (PROTO)"')
    return null
  }
  const t = ciscoStamp(text, m.index, ctx)
  const inside = canonicalIp(m[2]!)
  const outside = canonicalIp(m[4]!)
  const dest = canonicalIp(m[6]!)
  if (!t || !inside || !outside || !dest) {
    ctx.malformed(line, t ? 'session log: addresses unreadable' : 'session log: no readable time stamp')
    return null
  }
  const close = m[1] === 'CLOSE'
  const e = blankEvent(close ? 'session-end' : 'session-start', t, evidence(line, ctx, close ? 'service-set session closed' : 'service-set session opened'))
  const proto = m[8]!.toLowerCase()
  e.protocol = proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'sctp' || proto === 'gre' ? proto : null
  e.insideIp = inside
  e.insidePort = port(m[3])
  e.outsideIp = outside
  e.outsidePort = port(m[5])
  e.destIp = dest
  e.destPort = port(m[7])
  if (close) e.end = t.ms
  return e
}

const DETECT = /\b(?:RT_FLOW_SESSION_(?:CREATE|CLOSE|DENY)|APPTRACK_SESSION_(?:CREATE|CLOSE)|JSERVICES_SESSION_(?:OPEN|CLOSE)|MSVCS_LOG_SESSION_(?:OPEN|CLOSE))/

export const juniperSrx: NatFormat = {
  name: 'juniper-srx',
  description: 'Juniper SRX / MX-SPC3 RT_FLOW_SESSION_CREATE/CLOSE (structured RFC 5424 and positional text), APPTRACK_SESSION_CREATE/CLOSE',
  detect: (sample) => {
    // a next-gen services log holds both sessions and port blocks; both formats read both kinds of line,
    // so the file goes to the kind that dominates (port blocks on a tie) and only one format claims it
    let sessions = 0
    let blocks = 0
    for (const l of sample) {
      if (DETECT.test(l)) sessions++
      else if (PBA_MARKS.some((m) => l.includes(m))) blocks++
    }
    const s = detectScore(sample, (l) => DETECT.test(l) || PBA_MARKS.some((m) => l.includes(m)))
    return blocks >= sessions ? Math.min(s, 0.4) : s
  },
  parse,
  prefilter: true,
}
