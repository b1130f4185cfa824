/**
 * Cisco IOS / IOS XE NAT syslog and IOS XR CGN (NAT44 / DS-Lite) syslog.
 *
 * IOS ("ip nat log translations syslog"), four address columns: inside-local, inside-global, outside-local,
 * outside-global (ip[:port], "---" when absent); older releases without the verb:
 *
 *   000412: *Mar 14 09:15:02.123: %IPNAT-6-CREATED: tcp 192.168.1.10:51234 203.0.113.5:40001 198.51.100.7:80 198.51.100.7:80
 *   Mar 14 09:15:02 rtr1 1234: Mar 14 2025 09:15:02 UTC: %IPNAT-6-NAT_CREATED: Created tcp 192.168.1.10:51234 203.0.113.5:40001 198.51.100.7:80 198.51.100.7:80
 *   … %IPNAT-6-DELETED / NAT_DELETED: same columns, at the translation's removal (no duration is logged).
 *
 * IOS XE platform form: … %IOSXE-6-PLATFORM: … %NAT-6-LOG_TRANSLATION: Created Translation UDP 10.0.0.5:44593
 *   203.0.113.5:21129 192.0.2.53:53 192.0.2.53:53 0   (same four columns, then a VRF id).
 * A line with both outside columns carrying ports is an extended (5-tuple) translation: session-start /
 * session-end. Without outside columns it is a simple mapping (open/close).
 *
 * IOS XR CGN ("Cisco IOS XR Carrier Grade NAT Configuration Guide", External Logging, Syslog Message Format):
 * one or more records per line, each
 *   [EventName L4 OriginalSourceIP InsideVRF OriginalSourceIPv6 TranslatedSourceIP OriginalPort
 *    TranslatedFirstSourcePort TranslatedLastSourcePort DestinationIP DestinationPort]
 * with "-" for fields that do not apply:
 *   <134>1 2025 Mar 14 09:15:02 192.0.2.1 - - NAT44 - [UserbasedA - 100.64.1.17 Subscribers - 203.0.113.9 - 2048 3071 - -]
 * UserbasedA/W = bulk port block assigned/withdrawn (no L4), SessionbasedA/W = one port mapping,
 * SessionbasedAD/WD = with destination (session logging). Portblockrunout carries no mapping and is ignored.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp} from '../../io/net.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, port, PROTO_NUMBERS, MAX_RECORD_LINE, tooLong} from '../syslog.js'
import {ciscoStamp} from './cisco-asa.js'

const IPNAT = /%(?:IPNAT|NAT)-\d-(NAT_CREATED|NAT_DELETED|CREATED|DELETED|LOG_TRANSLATION):\s*/
const XR_REC = /\[((?:User|Session)based(?:AD|WD|A|W))\s+([^\]]*)\]/g
const XR_ANY = /\[(?:User|Session)based(?:AD|WD|A|W)\s/

interface Addr {
  ip: string
  port: number | null
}

/** "192.0.2.1:80", "192.0.2.1", "[2001:db8::1]:80" → address; "---" → null; garbage → undefined. */
function iosAddr(tok: string): Addr | null | undefined {
  if (/^-+$/.test(tok)) return null
  if (tok.startsWith('[')) {
    const c = tok.indexOf(']')
    const ip = c > 0 ? canonicalIp(tok.slice(1, c)) : null
    if (!ip) return undefined
    if (c === tok.length - 1) return {ip, port: null}
    const p = tok[c + 1] === ':' ? port(tok.slice(c + 2)) : null
    return p === null ? undefined : {ip, port: p}
  }
  const colon = tok.lastIndexOf(':')
  if (colon > 0 && tok.indexOf(':') === colon) {
    const ip = canonicalIp(tok.slice(0, colon))
    const p = port(tok.slice(colon + 1))
    return ip && p !== null ? {ip, port: p} : undefined
  }
  const ip = canonicalIp(tok)
  return ip ? {ip, port: null} : undefined
}

const PROTO_NAMES = new Set(['tcp', 'udp', 'icmp', 'gre', 'esp', 'sctp', 'ah', 'igmp'])

function protoOf(tok: string): string | null | undefined {
  if (tok === '-' || tok === '') return null
  const low = tok.toLowerCase()
  if (PROTO_NAMES.has(low)) return low
  if (/^\d{1,3}$/.test(tok)) return PROTO_NUMBERS[Number(tok)] ?? null
  return undefined
}

function parseIpnat(line: Line, ctx: ParseContext, m: RegExpExecArray): NatEvent | null {
  const text = line.text
  const verb = m[1]!
  const t = ciscoStamp(text, m.index, ctx)
  const bad = (why: string) => {
    ctx.malformed(line, `IPNAT ${verb}: ${why}`)
    return null
  }
  if (!t) return bad('no readable time stamp')
  const toks = text.slice(m.index + m[0].length).trim().split(/\s+/)
  let i = 0
  const verbWord = toks[i]
  if (verbWord === 'Created' || verbWord === 'Deleted') i++
  if (toks[i] === 'Translation') i++
  let protocol: string | null = null
  const p = toks[i] !== undefined ? protoOf(toks[i]!) : undefined
  if (p !== undefined && toks[i] !== '---') {
    protocol = p
    i++
  }
  const cols = toks.slice(i, i + 4)
  if (cols.length < 2) return bad('expected inside-local and inside-global addresses')
  const [il, ig, ol, og] = cols.map(iosAddr)
  if (!il || !ig || ol === undefined || og === undefined) return bad('address columns not understood')
  if (verb === 'LOG_TRANSLATION' && verbWord !== 'Created' && verbWord !== 'Deleted') return bad('expected "Created" or "Deleted Translation"')
  const deleted = verb.endsWith('DELETED') || verbWord === 'Deleted'
  const session = !!(ol && og && ol.port !== null && og.port !== null && il.port !== null)
  const kind = session ? (deleted ? 'session-end' : 'session-start') : 'mapping'
  const e = blankEvent(kind, t, evidence(line, ctx, deleted ? 'NAT translation deleted' : 'NAT translation created'))
  e.protocol = protocol
  e.insideIp = il.ip
  e.insidePort = il.port
  e.outsideIp = ig.ip
  e.outsidePort = ig.port
  if (og) {
    // the remote peer as the Internet knows it: outside-global
    e.destIp = og.ip
    e.destPort = og.port
  }
  if (!session) e.phase = deleted ? 'close' : 'open'
  if (deleted) e.end = t.ms
  return e
}

function parseXr(line: Line, ctx: ParseContext): NatEvent[] | null {
  const text = line.text
  const first = XR_ANY.exec(text)
  if (!first) return null
  const t = ciscoStamp(text, first.index, ctx)
  if (!t) {
    ctx.malformed(line, 'CGN record without a readable time stamp')
    return null
  }
  const out: NatEvent[] = []
  const problems: string[] = []
  XR_REC.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = XR_REC.exec(text)) !== null) {
    const ev = m[1]!
    const f = m[2]!.trim().split(/\s+/)
    if (f.length < 8) {
      problems.push(`${ev}: ${f.length} fields, expected 10`)
      continue
    }
    const [l4, src4, , src6, xlat, oport, first, last, dst, dport] = f
    const protocol = protoOf(l4!)
    const inside = src4 !== '-' ? canonicalIp(src4!) : src6 !== '-' ? canonicalIp(src6!) : null
    const outside = canonicalIp(xlat!)
    const lo = port(first)
    if (protocol === undefined || !inside || !outside || lo === null) {
      problems.push(`${ev}: addresses or ports not understood`)
      continue
    }
    const withdraw = ev.includes('W')
    let e: NatEvent
    if (ev.startsWith('User')) {
      const hi = port(last)
      if (hi === null || hi < lo) {
        problems.push(`${ev}: bad port range`)
        continue
      }
      e = blankEvent('port-block', t, evidence(line, ctx, withdraw ? 'CGN port block withdrawn' : 'CGN port block assigned'))
      e.outsidePortEnd = hi
      e.phase = withdraw ? 'close' : 'open'
    } else if (ev.endsWith('D')) {
      e = blankEvent(withdraw ? 'session-end' : 'session-start', t, evidence(line, ctx, withdraw ? 'CGN session withdrawn' : 'CGN session assigned'))
      const d = dst && dst !== '-' ? canonicalIp(dst) : null
      const dp = dport && dport !== '-' ? port(dport) : null
      if (!d) {
        problems.push(`${ev}: destination not understood`)
        continue
      }
      e.destIp = d
      e.destPort = dp
      e.insidePort = port(oport)
    } else {
      e = blankEvent('mapping', t, evidence(line, ctx, withdraw ? 'CGN port withdrawn' : 'CGN port assigned'))
      e.insidePort = port(oport)
      e.phase = withdraw ? 'close' : 'open'
    }
    e.protocol = protocol
    e.insideIp = inside
    e.outsideIp = outside
    e.outsidePort = lo
    if (withdraw) e.end = t.ms
    out.push(e)
  }
  if (problems.length) ctx.malformed(line, `CGN ${problems.join('; ')}`)
  return out.length ? out : null
}


function parse(line: Line, ctx: ParseContext): NatEvent | NatEvent[] | null {
  const text = line.text
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, IPNAT.test(text.slice(0, 512)) || XR_ANY.test(text.slice(0, 512)), 'Cisco IOS NAT', MAX_RECORD_LINE)
  if (text.includes('%IPNAT-') || text.includes('%NAT-')) {
    const m = IPNAT.exec(text)
    return m ? parseIpnat(line, ctx, m) : null
  }
  if (text.includes('based') && text.includes('[')) return parseXr(line, ctx)
  return null
}

export const ciscoIos: NatFormat = {
  name: 'cisco-ios',
  description: 'Cisco IOS/IOS XE %IPNAT-6-CREATED/DELETED (NAT_CREATED/NAT_DELETED) and IOS XR CGN [UserbasedA/W, SessionbasedA/W/AD/WD] syslog',
  detect: (sample) => detectScore(sample, (l) => IPNAT.test(l) || XR_ANY.test(l)),
  parse,
  prefilter: true,
}
