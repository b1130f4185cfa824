/**
 * F5 BIG-IP CGNAT (LSN pools) translation logs, in the name/value forms the LSN log profile and its
 * publishers write ("lsn_event":"LSN_ADD",… as JSON-ish pairs, or lsn_event="LSN_ADD",… Splunk-style):
 *
 *   Mar 14 10:00:00 bigip-cgn info tmm1[12345]: "lsn_event":"LSN_ADD","start":"1741946400123","cli":"100.64.12.7%0:40512","nat":"203.0.113.120%0:40512","dst":"198.51.100.7%0:443","ip_protocol":"TCP","pem_subscriber_id":"No-lookup"
 *   … "lsn_event":"LSN_DELETE","start":…,"cli":…,"nat":…,"duration":"5809" …
 *   … lsn_event="LSN_PB_ALLOCATED",start="1741946400",cli="100.64.12.8%0",nat="203.0.113.121%0:[2048-2111]" …
 *   … LSN_PB_RELEASED …
 *
 * Addresses carry the BIG-IP route domain ("%0") which is stripped; ports follow ":" (or "." for IPv6, as
 * tmsh prints them); a port block is "first-last", optionally in brackets.
 * inside = cli, outside = nat, destination = dst. LSN_ADD/LSN_DELETE with a destination are session
 * start/end, without one a mapping open/close; LSN_PB_ALLOCATED/RELEASED are port blocks.
 * Time: the record's `start` epoch (s or ms) dates an ADD / ALLOCATED; a DELETE / RELEASED ends at the
 * syslog header's time and starts at `start` when given. `duration` is not used (its unit is not stated).
 * Inbound-connection events (LSN_INBOUND_*) are not translations and are ignored.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, port, MAX_RECORD_LINE, tooLong} from '../syslog.js'
import {ciscoStamp} from './cisco-asa.js'

const PAIR = /"?([A-Za-z_][\w-]*)"?\s*[:=]\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"}]+))/g

function pairs(text: string, from: number): Map<string, string> {
  const out = new Map<string, string>()
  PAIR.lastIndex = from
  let m: RegExpExecArray | null
  while ((m = PAIR.exec(text)) !== null) {
    const k = m[1]!.toLowerCase()
    if (!out.has(k)) out.set(k, m[2] ?? m[3]!)
  }
  return out
}

export interface F5Addr {
  ip: string
  port: number | null
  portEnd: number | null
}

/** "100.64.1.2%0:4000", "203.0.113.5:1024-1087", "203.0.113.5%3:[1024-1087]", "2001:db8::1%0.443", "[2001:db8::1]:443". */
export function f5Addr(text: string | undefined): F5Addr | undefined {
  if (!text) return undefined
  const t = text.trim()
  let addr: string
  let rest = ''
  const pct = t.indexOf('%')
  if (pct > 0) {
    addr = t.slice(0, pct)
    const m = /^%\d+(.*)$/.exec(t.slice(pct))
    if (!m) return undefined
    rest = m[1]!
  } else if (t.startsWith('[')) {
    const c = t.indexOf(']')
    if (c < 0) return undefined
    addr = t.slice(1, c)
    rest = t.slice(c + 1)
  } else if (/^\d{1,3}(?:\.\d{1,3}){3}/.test(t)) {
    const m = /^(\d{1,3}(?:\.\d{1,3}){3})(.*)$/.exec(t)!
    addr = m[1]!
    rest = m[2]!
  } else if (canonicalIp(t)) {
    addr = t
  } else {
    const dot = t.lastIndexOf('.')
    if (dot < 0) return undefined
    addr = t.slice(0, dot)
    rest = ':' + t.slice(dot + 1)
  }
  const ip = canonicalIp(addr)
  if (!ip) return undefined
  if (rest === '') return {ip, port: null, portEnd: null}
  const m = /^[:.]\[?(\d{1,5})(?:-(\d{1,5}))?\]?$/.exec(rest)
  if (!m) return undefined
  const p = port(m[1])
  const e = m[2] !== undefined ? port(m[2]) : null
  if (p === null || (m[2] !== undefined && (e === null || e < p))) return undefined
  return {ip, port: p, portEnd: e}
}

function epoch(text: string | undefined): number | null {
  if (!text || !/^\d{9,13}$/.test(text)) return null
  const ms = text.length <= 10 ? Number(text) * 1000 : Number(text)
  return ms >= 946_684_800_000 && ms <= 4_102_444_800_000 ? ms : null
}

function first(kv: Map<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = kv.get(k)
    if (v !== undefined && v !== '') return v
  }
  return undefined
}

const EVENT = /lsn_event"?\s*[:=]\s*"?(LSN_[A-Z_]+)/


function parse(line: Line, ctx: ParseContext): NatEvent | null {
  const text = line.text
  const at = text.indexOf('lsn_event')
  if (at < 0) return null
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, true, 'LSN', MAX_RECORD_LINE)
  const em = EVENT.exec(text.slice(at))
  if (!em) return null
  const ev = em[1]!
  let what: 'add' | 'delete' | 'pb-alloc' | 'pb-release'
  if (ev === 'LSN_ADD') what = 'add'
  else if (ev === 'LSN_DELETE') what = 'delete'
  else if (ev === 'LSN_PB_ALLOCATED' || ev === 'LSN_PB_ALLOC') what = 'pb-alloc'
  else if (ev === 'LSN_PB_RELEASED' || ev === 'LSN_PB_RELEASE') what = 'pb-release'
  else return null
  const bad = (why: string) => {
    ctx.malformed(line, `F5 ${ev}: ${why}`)
    return null
  }
  const kv = pairs(text, Math.max(0, at - 1))
  const cli = f5Addr(first(kv, ['cli', 'client', 'client_ip', 'src']))
  const nat = f5Addr(first(kv, ['nat', 'nat_ip', 'translated']))
  if (!cli || !nat) return bad('cli / nat address unreadable')
  const cliPort = cli.port ?? port(first(kv, ['cli_port', 'client_port', 'src_port']))
  const natPort = nat.port ?? port(first(kv, ['nat_port']))
  const dstText = first(kv, ['dst', 'remote', 'dst_ip'])
  const dst = dstText !== undefined ? f5Addr(dstText) : undefined
  if (dstText !== undefined && !dst) return bad('dst address unreadable')
  const header = ciscoStamp(text, at, ctx)
  const started = epoch(first(kv, ['start', 'start_time']))
  const opening = what === 'add' || what === 'pb-alloc'
  let t: Resolved | undefined
  if (opening) t = started !== null ? {ms: started} : header
  else t = header ?? (started !== null ? {ms: started} : undefined)
  if (!t) return bad('no start epoch and no readable time stamp')
  let e: NatEvent
  if (what === 'pb-alloc' || what === 'pb-release') {
    if (natPort === null || nat.portEnd === null) return bad('nat port block unreadable')
    e = blankEvent('port-block', t, evidence(line, ctx, opening ? 'LSN port block allocated' : 'LSN port block released'))
    e.outsidePortEnd = nat.portEnd
    e.phase = opening ? 'open' : 'close'
  } else if (dst) {
    e = blankEvent(opening ? 'session-start' : 'session-end', t, evidence(line, ctx, opening ? 'LSN translation added' : 'LSN translation deleted'))
    e.destIp = dst.ip
    e.destPort = dst.port ?? port(first(kv, ['dst_port']))
    e.insidePort = cliPort
  } else {
    e = blankEvent('mapping', t, evidence(line, ctx, opening ? 'LSN translation added' : 'LSN translation deleted'))
    e.insidePort = cliPort
    e.phase = opening ? 'open' : 'close'
  }
  e.insideIp = cli.ip
  e.outsideIp = nat.ip
  e.outsidePort = natPort
  const proto = (first(kv, ['ip_protocol', 'protocol', 'proto']) ?? '').toLowerCase()
  e.protocol = proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'sctp' ? proto : proto === '6' ? 'tcp' : proto === '17' ? 'udp' : null
  const sub = first(kv, ['pem_subscriber_id', 'subscriber_id', 'subscriber'])
  if (sub && sub !== 'No-lookup' && sub !== 'N/A' && sub !== '-') e.subscriber = sub
  if (!opening) {
    e.end = header?.ms ?? t.ms
    if (started !== null && started <= e.end) {
      // the start is an epoch: no DST doubt about it
      e.time = started
      delete e.timeAlt
    }
  }
  return e
}

export const f5Lsn: NatFormat = {
  name: 'f5-lsn',
  description: 'F5 BIG-IP CGNAT LSN logs: LSN_ADD/LSN_DELETE translations and LSN_PB_ALLOCATED/RELEASED port blocks (route domains stripped)',
  detect: (sample) => detectScore(sample, (l) => EVENT.test(l)),
  parse,
  prefilter: true,
}
