/**
 * Linux iptables / nftables LOG target (kernel syslog; also ulogd's LOGEMU and Shorewall prefixes):
 *
 *   Mar  3 21:14:02 gw kernel: [812.443210] Shorewall:loc2net:ACCEPT:IN=eth1 OUT=eth0 MAC=... SRC=10.0.0.5 DST=203.0.113.9 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0
 *
 * Keys are read up to the first " [" (an ICMP error quotes the offending packet as "[SRC=… DST=… ]", which
 * must not be taken for the packet itself). The kernel's "[uptime]" is no wall-clock time: the syslog
 * header gives it.
 *
 * One-sided like ipfw: the LOG rule sees the packet either before SNAT (FORWARD / OUTPUT) or after DNAT, never
 * the translation. src/dst as written; inside/dest only where the line proves them (inside source = outbound
 * packet of that client, inside destination of an outside source = a reply to it).
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, ipOf, MAX_LINE, orientPacket, port, PROTO_NUMBERS, syslogStamp, tooLong} from '../syslog.js'

const IN_OUT = /(?:^|[^A-Za-z0-9_])IN=(\S*) OUT=(\S*)/
const PORTED = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp'])

function protocolOf(p: string): string | null {
  if (/^\d+$/.test(p)) return PROTO_NUMBERS[Number(p)] ?? null
  const l = p.toLowerCase()
  return l === 'icmpv6' || l === 'icmp6' ? 'ipv6-icmp' : l
}

function looksIptables(l: string): boolean {
  return l.indexOf(' DST=') > 0 && l.indexOf('SRC=') > 0 && l.indexOf('PROTO=') > 0 && IN_OUT.test(l)
}

export const iptables: NatFormat = {
  name: 'iptables',
  description: 'Linux iptables/nftables LOG lines ("IN= OUT= SRC= DST= PROTO= SPT= DPT="), Shorewall and ulogd LOGEMU included',
  prefilter: true,
  detect(sample) {
    return detectScore(sample, looksIptables)
  },
  parse(line: Line, ctx: ParseContext) {
    const t = line.text
    const s = t.indexOf('SRC=')
    if (s < 0 || t.indexOf('PROTO=', s) < 0) return null
    if (t.length > MAX_LINE) return tooLong(line, ctx, IN_OUT.test(t.slice(0, 600)), 'netfilter LOG')
    const io = IN_OUT.exec(t)
    if (!io || io.index > s) return null
    // the packet's own keys end where a quoted inner packet "[SRC=..." begins
    const endAt = t.indexOf(' [', io.index + 1)
    const body = t.slice(io.index, endAt < 0 ? t.length : endAt)
    const kv = new Map<string, string>()
    for (const tok of body.split(' ')) {
      const eq = tok.indexOf('=')
      if (eq <= 0) continue
      const k = tok.slice(0, eq).replace(/^[^A-Z]*/, '')
      if (!kv.has(k)) kv.set(k, tok.slice(eq + 1))
    }
    const src = ipOf(kv.get('SRC') ?? '')
    const dst = ipOf(kv.get('DST') ?? '')
    const protoText = kv.get('PROTO')
    if (!src || !dst || !protoText) {
      ctx.malformed(line, 'netfilter LOG line without readable SRC=, DST= and PROTO=')
      return null
    }
    const protocol = protocolOf(protoText)
    const ported = PORTED.has(protocol ?? '')
    let sp: number | null = null
    let dp: number | null = null
    if (ported && kv.has('SPT')) {
      sp = port(kv.get('SPT'))
      dp = port(kv.get('DPT'))
      if (sp === null || dp === null) {
        ctx.malformed(line, 'netfilter LOG line with unreadable SPT=/DPT=')
        return null
      }
    }
    const head = syslogStamp(t, ctx)
    if (!head) {
      ctx.malformed(line, 'netfilter LOG line without a wall-clock time stamp (kernel uptime is not one)')
      return null
    }
    const inIf = io[1] || null
    const outIf = io[2] || null
    const ev: NatEvent = blankEvent('packet', head.time, evidence(line, ctx, 'packet'))
    ev.protocol = protocol
    ev.srcIp = src
    ev.srcPort = sp
    ev.dstIp = dst
    ev.dstPort = dp
    ev.dir = inIf && !outIf ? 'in' : outIf && !inIf ? 'out' : null
    ev.iface = inIf ?? outIf
    orientPacket(ev)
    return ev
  },
}
