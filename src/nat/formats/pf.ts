/**
 * pfSense / OPNsense `filterlog` CSV (BSD syslog or RFC 5424 header), layout of the pfSense "Filter Log
 * Format" documentation:
 *
 *   rule,subrule,anchor,tracker,interface,reason,action,dir,ipver, …
 *   IPv4: tos,ecn,ttl,id,offset,flags,proto-id,proto-text,length,src,dst, then per protocol
 *   IPv6: class,flowlabel,hoplimit,proto-text,proto-id,length,src,dst, then per protocol
 *   TCP/UDP: sport,dport,datalen[,tcp flags,seq,ack,window,urg,options]
 *
 *   Mar  3 21:14:02 fw filterlog[4411]: 5,,,1000000103,igb0,match,pass,out,4,0x0,,63,2211,0,DF,6,tcp,60,198.51.100.2,203.0.113.9,40000,443,0,S,1,,64240,,mss
 *
 * One-sided: each line is one packet on one interface (the LAN-side line holds the inside address, the
 * WAN-side line the public one after NAT). src/dst as written; inside/dest only where the line proves them.
 * When both sides of one packet are logged, they are paired into the translation (see pairNat).
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, ipOf, MAX_LINE, orientPacket, port, PROTO_NUMBERS, syslogStamp, tooLong} from '../syslog.js'

const PORTED = new Set(['tcp', 'udp', 'udplite', 'sctp'])

function csvOf(t: string): string[] | null {
  const k = t.indexOf('filterlog')
  if (k < 0) return null
  const sp = t.lastIndexOf(' ')
  if (sp < k) return null
  const body = t.slice(sp + 1)
  const c0 = body.charCodeAt(0)
  if (!(c0 >= 48 && c0 <= 57)) return null
  const f = body.split(',')
  return f.length >= 9 ? f : null
}

function looksPf(l: string): boolean {
  const f = csvOf(l)
  return f !== null && (f[8] === '4' || f[8] === '6') && (f[7] === 'in' || f[7] === 'out')
}

export const pf: NatFormat = {
  name: 'pf',
  description: 'pfSense / OPNsense filterlog CSV (one packet per line)',
  prefilter: true,
  detect(sample) {
    return detectScore(sample, looksPf)
  },
  parse(line: Line, ctx: ParseContext) {
    const t = line.text
    if (t.length > MAX_LINE) return tooLong(line, ctx, t.indexOf('filterlog') >= 0, 'filterlog')
    const f = csvOf(t)
    if (!f) return null
    const ver = f[8]
    let protoText: string | undefined
    let protoId: number
    let srcI: number
    if (ver === '4') {
      protoId = Number(f[15])
      protoText = f[16]
      srcI = 18
    } else if (ver === '6') {
      protoText = f[12]
      protoId = Number(f[13])
      srcI = 15
    } else return null // filterlog's non-IP records
    const src = ipOf(f[srcI] ?? '')
    const dst = ipOf(f[srcI + 1] ?? '')
    if (!src || !dst) {
      ctx.malformed(line, `filterlog IPv${ver} record without readable source/destination addresses`)
      return null
    }
    const protocol = PROTO_NUMBERS[protoId] ?? (protoText ? protoText.toLowerCase() : null)
    let sp: number | null = null
    let dp: number | null = null
    if (PORTED.has(protocol ?? '')) {
      sp = port(f[srcI + 2])
      dp = port(f[srcI + 3])
      if (sp === null || dp === null) {
        ctx.malformed(line, `filterlog ${protocol} record without readable ports`)
        return null
      }
    }
    const head = syslogStamp(t, ctx)
    if (!head) {
      ctx.malformed(line, 'filterlog record without a readable syslog time stamp')
      return null
    }
    const ev: NatEvent = blankEvent('packet', head.time, evidence(line, ctx, 'packet'))
    // pairing keys: IPv4 id and TCP sequence number survive pf's NAT (unless scrub random-id / modulate state)
    const id = ver === '4' ? f[12] ?? '' : ''
    const seq = protocol === 'tcp' ? f[srcI + 6] ?? '' : ''
    ev.protocol = protocol
    ev.srcIp = src
    ev.srcPort = sp
    ev.dstIp = dst
    ev.dstPort = dp
    ev.dir = f[7] === 'in' ? 'in' : f[7] === 'out' ? 'out' : null
    ev.iface = f[4] || null
    orientPacket(ev)
    const pair = pairNat(ev, id, seq, line, ctx)
    return pair ? [ev, pair] : ev
  },
}

interface Seen {
  ev: NatEvent
  /** more than one inside packet had this key in the window: never paired */
  dup: boolean
}

const PAIR_WINDOW_MS = 2000

/**
 * pf logs a NATed flow twice: "in" on the LAN with the inside source, "out" on the WAN with the public source
 * (port usually changed). When two TCP lines carry the same destination ip:port, IPv4 id (non-zero) and
 * sequence number, within 2 s, and no other inside packet shares that key, the pair is the translation itself: a "mapping" event inside → outside → destination whose evidence is both lines.
 */
function pairNat(ev: NatEvent, id: string, seq: string, line: Line, ctx: ParseContext): NatEvent | null {
  // TCP only: id (16 bits) + sequence number (32 bits) cannot meet by chance; a UDP pair would rest on the
  // 16-bit id alone, and a WAN packet whose own LAN line was not logged could meet another client's line
  if (ev.protocol !== 'tcp' || ev.dstPort === null || !/^[1-9]\d*$/.test(id) || !/^\d+$/.test(seq)) return null
  const key = `${ev.protocol}|${ev.dstIp}|${ev.dstPort}|${id}|${seq}`
  let seen = ctx.state.pfSeen as Map<string, Seen> | undefined
  if (!seen) ctx.state.pfSeen = seen = new Map()
  // forget what is older than the window (Map keeps insertion order = log order)
  for (const [k, v] of seen) {
    if (ev.time - v.ev.time <= PAIR_WINDOW_MS * 2) break
    seen.delete(k)
  }
  const insideSrc = ev.insideIp !== null && ev.insideIp === ev.srcIp
  if (ev.dir === 'in' && insideSrc) {
    const cur = seen.get(key)
    if (cur && ev.time - cur.ev.time <= PAIR_WINDOW_MS) cur.dup = true
    else {
      seen.delete(key)
      seen.set(key, {ev, dup: false})
    }
    return null
  }
  if (ev.dir !== 'out' || ev.insideIp !== null || ev.srcPort === null) return null
  const lan = seen.get(key)
  if (!lan || lan.dup) return null
  const dt = ev.time - lan.ev.time
  if (dt < 0 || dt > PAIR_WINDOW_MS) return null
  seen.delete(key)
  const m = blankEvent('mapping', {ms: lan.ev.time}, {
    file: ctx.file.display,
    line: lan.ev.evidence.line,
    text: `${lan.ev.evidence.text}\n${line.text}`,
    role: `pf NAT pair: LAN line ${lan.ev.evidence.line} + WAN line ${line.no} (same destination, IP id and TCP sequence)`,
  })
  if (lan.ev.timeAlt !== undefined) m.timeAlt = lan.ev.timeAlt
  m.phase = 'open' // pf logs the first packet of a state: the translation is built here, its end unknown
  m.protocol = ev.protocol
  m.insideIp = lan.ev.srcIp ?? null
  m.insidePort = lan.ev.srcPort ?? null
  m.outsideIp = ev.srcIp ?? null
  m.outsidePort = ev.srcPort ?? null
  m.destIp = ev.dstIp ?? null
  m.destPort = ev.dstPort ?? null
  return m
}
