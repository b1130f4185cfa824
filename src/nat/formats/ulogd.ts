/**
 * ulogd2 connection-tracking (NFCT) output, in its three writings:
 *
 *   JSON:     {"timestamp": "2026-03-03T21:14:02+0100", "dvc": "Netfilter", "orig.ip.saddr.str": "10.0.0.5",
 *              "orig.l4.sport": 40000, …, "reply.ip.daddr.str": "198.51.100.2", "reply.l4.dport": 61000,
 *              "ct.event": 1, "flow.start.sec": 1772568842, …}
 *   GPRINT:   timestamp=2026/03/03-21:14:02,orig.ip.saddr.str=10.0.0.5,…,reply.l4.dport=61000,ct.event=1,
 *   LOGEMU:   Mar  3 21:14:02 gw [NEW] ORIG: SRC=10.0.0.5 DST=203.0.113.9 PROTO=TCP SPT=40000 DPT=443 PKTS=0 BYTES=0 , REPLY: SRC=… DST=… PROTO=TCP SPT=443 DPT=61000 PKTS=0 BYTES=0
 *
 * "timestamp" is local time with a "+0200"-style offset (no colon), or none (then the log zone applies);
 * flow.start.sec / flow.end.sec (epoch) are preferred when present. ct.event: 1 NEW, 2 UPDATE, 4 DESTROY
 * (libnetfilter_conntrack's bit values; ulogd's text printer writes "[DESTROY]" for 3).
 * Inside/outside/destination as for conntrack (see ../tuples.ts). ulogd's JSON packet logs (NFLOG: src_ip,
 * dest_ip, no reply tuple) are one-sided packets, like iptables.
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {isInsideAddress} from '../../io/net.js'
import type {Resolved} from '../../io/time.js'
import type {NatEvent, NatKind} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, ipOf, MAX_LINE, port, PROTO_NUMBERS, syslogStamp, tooLong, wallTime} from '../syslog.js'
import {applyTuples} from '../tuples.js'

const PORTED = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp'])
const GPRINT_TS = /^(\d{4})\/(\d{2})\/(\d{2})-(\d{2}):(\d{2}):(\d{2})$/
type Rec = Record<string, unknown>

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
}

function portOf(v: unknown): number | null {
  return port(str(v))
}

function epochOf(sec: unknown, usec: unknown): number | undefined {
  const s = Number(str(sec))
  if (!Number.isFinite(s) || s <= 0) return undefined
  const u = Number(str(usec) ?? 0)
  return s * 1000 + (Number.isFinite(u) ? Math.floor(u / 1000) : 0)
}

/** "2026-03-03T21:14:02+0100", "2026-03-03T21:14:02", "2026/03/03-21:14:02" */
function stampOf(text: string | undefined, ctx: ParseContext): Resolved | undefined {
  if (!text) return undefined
  const g = GPRINT_TS.exec(text)
  if (g) {
    const r = wallTime(ctx, {year: +g[1]!, month: +g[2]!, day: +g[3]!, hour: +g[4]!, minute: +g[5]!, second: +g[6]!})
    return Number.isNaN(r.ms) ? undefined : r
  }
  return syslogStamp(text, ctx)?.time
}

function kindOf(ev: unknown): NatKind {
  const n = Number(str(ev))
  return n === 1 ? 'session-start' : n === 4 ? 'session-end' : 'mapping'
}

/** one NFCT record (JSON or GPRINT keys) → event; undefined = ours but unreadable, null = not an NFCT/NFLOG record */
function fromKeys(rec: Rec, line: Line, ctx: ParseContext): NatEvent | null | undefined {
  const protoNum = Number(str(rec['orig.ip.protocol'] ?? rec['ip.protocol']))
  const protocol = Number.isFinite(protoNum) ? (PROTO_NUMBERS[protoNum] ?? null) : null
  const ported = PORTED.has(protocol ?? '')
  const oSrcT = str(rec['orig.ip.saddr.str'] ?? rec['orig.ip.saddr'])
  const rDstT = str(rec['reply.ip.daddr.str'] ?? rec['reply.ip.daddr'])
  if (oSrcT !== undefined || rDstT !== undefined) {
    const oSrc = ipOf(oSrcT ?? '')
    const oDst = ipOf(str(rec['orig.ip.daddr.str'] ?? rec['orig.ip.daddr']) ?? '')
    const rSrc = ipOf(str(rec['reply.ip.saddr.str'] ?? rec['reply.ip.saddr']) ?? '')
    const rDst = ipOf(rDstT ?? '')
    if (!oSrc || !oDst || !rSrc || !rDst) return undefined
    const o = {src: oSrc, dst: oDst, sport: ported ? portOf(rec['orig.l4.sport']) : null, dport: ported ? portOf(rec['orig.l4.dport']) : null}
    const r = {src: rSrc, dst: rDst, sport: ported ? portOf(rec['reply.l4.sport']) : null, dport: ported ? portOf(rec['reply.l4.dport']) : null}
    if (ported && (o.sport === null || o.dport === null || r.sport === null || r.dport === null)) return undefined
    let kind = kindOf(rec['ct.event'])
    const start = epochOf(rec['flow.start.sec'], rec['flow.start.usec'])
    const stop = epochOf(rec['flow.end.sec'], rec['flow.end.usec'])
    let time: Resolved | undefined
    let end: number | null = null
    if (kind === 'session-end') {
      const at = stop !== undefined ? {ms: stop} : stampOf(str(rec['timestamp']), ctx)
      if (!at) return undefined
      end = at.ms
      time = start !== undefined ? {ms: start} : at
    } else time = start !== undefined && kind === 'session-start' ? {ms: start} : stampOf(str(rec['timestamp']), ctx)
    if (!time && start !== undefined) {
      time = {ms: start}
      kind = 'session-start'
    }
    if (!time) return undefined
    const ev = blankEvent(kind, time, evidence(line, ctx, `ulogd NFCT ${kind}`))
    ev.end = end
    if (kind === 'mapping') ev.phase = 'interim'
    ev.protocol = protocol
    applyTuples(ev, o, r)
    return ev
  }
  // NFLOG packet record (JSON): one-sided
  const s = ipOf(str(rec['src_ip'] ?? rec['ip.saddr.str']) ?? '')
  const d = ipOf(str(rec['dest_ip'] ?? rec['ip.daddr.str']) ?? '')
  if (!s || !d) return null
  const time = stampOf(str(rec['timestamp']), ctx)
  if (!time) return undefined
  const sp = ported ? portOf(rec['src_port'] ?? rec['tcp.sport'] ?? rec['udp.sport']) : null
  const dp = ported ? portOf(rec['dest_port'] ?? rec['tcp.dport'] ?? rec['udp.dport']) : null
  const ev = blankEvent('packet', time, evidence(line, ctx, 'packet'))
  ev.protocol = protocol
  ev.srcIp = s
  ev.srcPort = sp
  ev.dstIp = d
  ev.dstPort = dp
  ev.iface = str(rec['oob.in']) || str(rec['oob.out']) || null
  ev.dir = null
  if (isInsideAddress(s)) {
    Object.assign(ev, {insideIp: s, insidePort: sp, destIp: d, destPort: dp})
  } else if (isInsideAddress(d)) {
    Object.assign(ev, {insideIp: d, insidePort: dp, destIp: s, destPort: sp})
  }
  return ev
}

const TEXT = /(?:\[(NEW|UPDATE|DESTROY)\] )?ORIG: (.*?), REPLY: (.*)$/

function textKv(part: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const tok of part.trim().split(/\s+/)) {
    const eq = tok.indexOf('=')
    if (eq > 0 && !m.has(tok.slice(0, eq))) m.set(tok.slice(0, eq), tok.slice(eq + 1))
  }
  return m
}

function fromText(t: string, line: Line, ctx: ParseContext): NatEvent | null | undefined {
  const m = TEXT.exec(t)
  if (!m) return null
  const o = textKv(m[2]!)
  const r = textKv(m[3]!)
  const protoT = (o.get('PROTO') ?? '').toLowerCase()
  const protocol = /^\d+$/.test(protoT) ? (PROTO_NUMBERS[Number(protoT)] ?? null) : protoT || null
  const ported = PORTED.has(protocol ?? '')
  const oSrc = ipOf(o.get('SRC') ?? '')
  const oDst = ipOf(o.get('DST') ?? '')
  const rSrc = ipOf(r.get('SRC') ?? '')
  const rDst = ipOf(r.get('DST') ?? '')
  if (!oSrc || !oDst || !rSrc || !rDst) return undefined
  const ot = {src: oSrc, dst: oDst, sport: ported ? port(o.get('SPT')) : null, dport: ported ? port(o.get('DPT')) : null}
  const rt = {src: rSrc, dst: rDst, sport: ported ? port(r.get('SPT')) : null, dport: ported ? port(r.get('DPT')) : null}
  if (ported && (ot.sport === null || ot.dport === null || rt.sport === null || rt.dport === null)) return undefined
  const head = syslogStamp(t, ctx)
  if (!head) return undefined
  const kind: NatKind = m[1] === 'NEW' ? 'session-start' : m[1] === 'DESTROY' ? 'session-end' : 'mapping'
  const ev = blankEvent(kind, head.time, evidence(line, ctx, `ulogd NFCT ${kind}`))
  if (kind === 'session-end') ev.end = head.time.ms
  if (kind === 'mapping') ev.phase = 'interim'
  ev.protocol = protocol
  applyTuples(ev, ot, rt)
  return ev
}

function parseGprint(t: string): Rec {
  const rec: Rec = {}
  for (const part of t.split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) rec[part.slice(0, eq).trim()] = part.slice(eq + 1)
  }
  return rec
}

function looksUlogd(l: string): boolean {
  const s = l.trimStart()
  if (s.startsWith('{')) return (s.includes('"orig.ip.saddr') || s.includes('"src_ip"')) && s.includes('"timestamp"')
  return s.includes('orig.ip.saddr.str=') || (s.includes('ORIG: SRC=') && s.includes(', REPLY: '))
}

export const ulogd: NatFormat = {
  name: 'ulogd',
  description: 'ulogd2 NFCT connection logs (JSON, GPRINT key=value, LOGEMU text) and ulogd JSON packet logs',
  prefilter: true,
  detect(sample) {
    return detectScore(sample, looksUlogd)
  },
  parse(line: Line, ctx: ParseContext) {
    const t = line.text
    if (t.length > MAX_LINE * 2) return tooLong(line, ctx, t.indexOf('orig.ip.') >= 0 || t.indexOf('ORIG: ') >= 0, 'ulogd')
    let got: NatEvent | null | undefined
    let what: string
    const c = t.charCodeAt(0) === 123 ? 123 : t.trimStart().charCodeAt(0)
    if (c === 123 /* { */) {
      if (t.indexOf('"timestamp"') < 0 && t.indexOf('.ip.') < 0 && t.indexOf('"src_ip"') < 0) return null
      let rec: unknown
      try {
        rec = JSON.parse(t)
      } catch {
        if (t.indexOf('"orig.ip.') < 0) return null
        ctx.malformed(line, 'ulogd JSON record that is not valid JSON (cut off?)')
        return null
      }
      if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return null
      what = 'ulogd JSON record'
      got = fromKeys(rec as Rec, line, ctx)
    } else if (t.indexOf('orig.ip.saddr.str=') >= 0) {
      what = 'ulogd GPRINT record'
      got = fromKeys(parseGprint(t), line, ctx)
    } else if (t.indexOf('ORIG: ') >= 0 && t.indexOf(', REPLY: ') >= 0) {
      what = 'ulogd NFCT text record'
      got = fromText(t, line, ctx)
    } else return null
    if (got === undefined) {
      ctx.malformed(line, `${what} without readable addresses, ports and time`)
      return null
    }
    return got
  },
}
