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
import {isInsideAddress} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
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
  },
  flush(ctx: ParseContext) {
    const pending = ctx.state.mikrotikPending as Pending | undefined
    ctx.state.mikrotikPending = undefined
    if (!pending) return []
    const ev = finish(pending, ctx, false)
    return ev ? [ev] : []
  },
}
