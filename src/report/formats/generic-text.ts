/**
 * Free text and tables from any sender: the fallback format. Reads, line by line:
 *   - tables with a header row ("timestamp src_ip src_port dst_ip dst_port [proto]", any delimiter:
 *     tabs, commas, semicolons, pipes, spaces); the stamp is cut out first so it may contain spaces
 *   - flow lines "ip:port -> ip:port", "ip/port->ip/port", "ip.port > ip.port" (tcpdump), with a stamp
 *   - prose lines naming one IP and a stamp ("… 192.0.2.7 … at 2013-06-18 15:53:34 UTC … port 22")
 * portRole 'source' only where the line shows our source port (the left side of a flow, a src_port
 * column, "source port N"); a port next to the reported IP as the flow's target is 'listening'; a
 * port of the other side is destPort; an unqualified "port N" is the attacked port (destination).
 * Rows without a stamp take the stamp of a "Date/Time:" line above them when there is exactly one.
 */
import {canonicalIp} from '../../io/net.js'
import {findAddresses, type AddrToken} from '../addr.js'
import {ticketFromSubject, transportProtocol} from '../common.js'
import {allText} from '../message.js'
import type {FormatContext, ParseResult, ParsedTime, RawIncident, ReportFormat} from '../types.js'

type Col = 'time' | 'date' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'proto' | 'ip' | 'port' | 'other'

function colOf(name: string): Col {
  const n = name.toLowerCase().replace(/[\s_.-]+/g, '')
  if (/^(timestamp|time(stamp)?(utc|gmt|z)?|datetime|datetimeutc|when|eventtime|firstseen|lastseen|seen|hora|horario|fecha(hora)?|datahora)$/.test(n)) return 'time'
  if (/^(date|data|fecha|day)$/.test(n)) return 'date'
  if (/^(src|source|sourceip|srcip|srcaddr|sourceaddress|ipsrc|attacker|attackerip|origem|origen|ipaddress|offender|offendingip)$/.test(n)) return 'srcIp'
  if (/^(srcport|sourceport|sport|portsrc|attackerport|portaorigem|puertoorigen)$/.test(n)) return 'srcPort'
  if (/^(dst|dest|destination|dstip|destip|destinationip|dstaddr|target|targetip|victim|victimip|destino|ipdst)$/.test(n)) return 'dstIp'
  if (/^(dstport|destport|destinationport|dport|targetport|victimport|portdst|portadestino|puertodestino)$/.test(n)) return 'dstPort'
  if (/^(proto|protocol|protocolo|transport)$/.test(n)) return 'proto'
  if (/^(ip|addr|address|host)$/.test(n)) return 'ip'
  if (/^(port|porta|puerto)$/.test(n)) return 'port'
  return 'other'
}

const DELIMS: Array<[string, RegExp]> = [
  ['\t', /\t+/],
  ['|', /\s*\|\s*/],
  [';', /\s*;\s*/],
  [',', /\s*,\s*/],
  [' ', /\s+/],
]

interface Header {
  cols: Col[]
  split: RegExp
}

function readHeader(line: string): Header | undefined {
  const t = line.trim().replace(/^[#|]\s*/, '').replace(/\s*\|$/, '')
  for (const [ch, re] of DELIMS) {
    if (ch !== ' ' && !t.includes(ch)) continue
    const cols = t.split(re).map(colOf)
    const hasIp = cols.includes('srcIp') || cols.includes('ip')
    const hasTime = cols.includes('time') || cols.includes('date')
    if (cols.length >= 3 && hasIp && hasTime && cols.filter((c) => c === 'other').length <= cols.length / 2) return {cols, split: re}
  }
  return undefined
}

const FLOW = /->|→|=>|\s>\s|\sto\s/

function portNum(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,5}$/.test(s.trim())) return null
  const n = Number(s)
  return n <= 65535 ? n : null
}

const SOURCE_PORT = /\b(?:source|src|s)[ _-]?port\s*[:=]?\s*(\d{1,5})\b|\bsport\s*[:=]?\s*(\d{1,5})\b|porta\s+de\s+origem\s*:?\s*(\d{1,5})|puerto\s+(?:de\s+)?origen\s*:?\s*(\d{1,5})/i
const DEST_PORT = /\b(?:destination|dest|dst|d|target)[ _-]?port\s*[:=]?\s*(\d{1,5})\b|\bdport\s*[:=]?\s*(\d{1,5})\b|porta\s+(?:de\s+)?destino\s*:?\s*(\d{1,5})|puerto\s+(?:de\s+)?destino\s*:?\s*(\d{1,5})|\bport\s*[:=#]?\s*(\d{1,5})\b|\bporta\s*:?\s*(\d{1,5})\b|\bpuerto\s*:?\s*(\d{1,5})\b/i
const PROTO = /\b(tcp|udp|icmp|sctp)\b|\bproto(?:col)?\s*[:=]?\s*(\d{1,3}|tcp|udp|icmp)\b/i

function firstGroup(m: RegExpExecArray | null): string | undefined {
  return m ? m.slice(1).find((g) => g !== undefined) : undefined
}

export const genericText: ReportFormat = {
  name: 'generic-text',
  description: 'free text and tables: "timestamp src_ip src_port dst_ip dst_port", "ip:port -> ip:port", prose with an IP and a time',
  detect(msg) {
    const text = allText(msg)
    return findAddresses(text).some((a) => a.ip !== null || a.masked) ? 0.3 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    const text = allText(msg)
    const subjectIps = findAddresses(msg.subject ?? '').filter((a) => a.ip).map((a) => a.ip!)
    const lines = text.split(/\r?\n/)
    let header: Header | undefined
    let lastTime: ParsedTime | undefined
    const candidates: RawIncident[] = []
    lines.forEach((rawLine, k) => {
      const line = rawLine.replace(/^(\s*>)+\s?/, '')
      if (!line.trim()) {
        header = undefined
        return
      }
      const h = readHeader(line)
      if (h) {
        header = h
        return
      }
      const t = ctx.parseTime(line)
      const addrs = findAddresses(line)
      if (addrs.length === 0) {
        if (t && /^\s*[\w ]{0,30}(date|time|hora|data|fecha|timestamp)\b[^:]{0,20}:/i.test(line)) lastTime = t
        return
      }
      if (header) {
        const inc = fromRow(line, header, t, ctx)
        if (inc) {
          inc.rawLine = k + 1
          incidents.push(inc)
          return
        }
      }
      const time = t ?? lastTime
      if (!time) return
      const inc = fromFlow(line, addrs, time) ?? fromProse(line, addrs, time, subjectIps)
      if (inc) {
        inc.rawLine = k + 1
        ;(t ? incidents : candidates).push(inc)
      }
    })
    // a lone "Date:" line's stamp applies to address lines below it only when no line carries its own stamp
    if (incidents.length === 0) incidents.push(...candidates)
    return {incidents, ticket: ticketFromSubject(msg.subject)}
  },
}

function fromRow(line: string, h: Header, t: ParsedTime | undefined, ctx: FormatContext): RawIncident | undefined {
  const cells = line.trim().replace(/^\|\s*/, '').replace(/\s*\|$/, '').split(h.split)
  // a stamp with spaces spans several cells when the delimiter is a space: rebuild
  let time = t
  const vals: Partial<Record<Col, string>> = {}
  let ci = 0
  for (let i = 0; i < h.cols.length && ci < cells.length; i++) {
    const col = h.cols[i]!
    if (col === 'time' || col === 'date') {
      // consume cells until the stamp is complete: take as many cells as form a stamp
      let best = 1
      for (let n = 1; n <= 4 && ci + n <= cells.length; n++) {
        if (ctx.parseTime(cells.slice(ci, ci + n).join(' '), undefined, true)) best = n
      }
      const stamp = cells.slice(ci, ci + best).join(' ')
      if (col === 'date' && h.cols[i + 1] === 'time') {
        vals.time = `${stamp} ${cells[ci + best] ?? ''}`
        ci += best + 1
        i++
        continue
      }
      vals.time = stamp
      ci += best
      continue
    }
    vals[col] = cells[ci++]!.trim()
  }
  if (vals.time) time = ctx.parseTime(vals.time) ?? time
  if (!time) return undefined
  const srcText = vals.srcIp ?? vals.ip
  if (!srcText) return undefined
  const src = findAddresses(srcText)[0]
  if (!src) return undefined
  const dst = vals.dstIp ? findAddresses(vals.dstIp)[0] : undefined
  const sport = portNum(vals.srcPort) ?? (vals.srcPort === undefined ? src.port : null)
  const dport = portNum(vals.dstPort) ?? dst?.port ?? null
  // a bare "port" column next to the reported ip: the port named is the attacked/listening one
  const bare = portNum(vals.port)
  let publicPort = sport
  let role: RawIncident['portRole'] = sport !== null ? 'source' : null
  let destPort = dport
  if (publicPort === null && bare !== null) {
    if (dst || vals.dstPort !== undefined) destPort = destPort ?? bare
    else {
      publicPort = bare
      role = null
    }
  }
  return {
    time: time.ms,
    zone: time.zone,
    publicIp: src.ip,
    publicIpMasked: src.masked,
    publicIpPattern: src.masked ? src.text : undefined,
    publicPort,
    portRole: role,
    destIp: dst?.ip ?? null,
    destPort,
    protocol: transportProtocol(vals.proto),
    raw: line.trim(),
  }
}

function stripStamp(line: string): string {
  return line
}

function fromFlow(line: string, addrs: AddrToken[], t: ParsedTime): RawIncident | undefined {
  if (addrs.length < 2) return undefined
  const a = addrs[0]!
  const b = addrs[1]!
  const between = line.slice(a.index + a.length, b.index)
  if (!FLOW.test(` ${between} `) && !/^\s*(->|>|→|=>)\s*$/.test(between)) return undefined
  const reversed = /<-|←|<=/.test(between)
  const [src, dst] = reversed ? [b, a] : [a, b]
  const proto = PROTO.exec(line)
  return {
    time: t.ms,
    zone: t.zone,
    publicIp: src.ip,
    publicIpMasked: src.masked,
    publicIpPattern: src.masked ? src.text : undefined,
    publicPort: src.port,
    portRole: src.port !== null ? 'source' : null,
    destIp: dst.ip,
    destPort: dst.port,
    protocol: proto ? transportProtocol(proto[1] ?? proto[2]) : null,
    raw: stripStamp(line.trim()),
  }
}

function fromProse(line: string, addrs: AddrToken[], t: ParsedTime, subjectIps: string[]): RawIncident | undefined {
  // the reported IP: the one the subject names, else the only / first address on the line
  const ours = addrs.find((a) => a.ip && subjectIps.includes(a.ip)) ?? (addrs.length === 1 || subjectIps.length === 0 ? addrs[0] : undefined)
  if (!ours) return undefined
  const other = addrs.find((a) => a !== ours && a.ip)
  const sp = portNum(firstGroup(SOURCE_PORT.exec(line)))
  const dpText = firstGroup(DEST_PORT.exec(line.replace(SOURCE_PORT, ' ')))
  const dp = portNum(dpText)
  const proto = PROTO.exec(line)
  let publicPort: number | null = sp
  let role: RawIncident['portRole'] = sp !== null ? 'source' : null
  if (publicPort === null && ours.port !== null) {
    // "192.0.2.7:5060" with nothing saying what the port is
    publicPort = ours.port
    role = null
  }
  return {
    time: t.ms,
    zone: t.zone,
    publicIp: ours.ip ?? (canonicalIp(ours.text) || null),
    publicIpMasked: ours.masked,
    publicIpPattern: ours.masked ? ours.text : undefined,
    publicPort,
    portRole: role,
    destIp: other?.ip ?? null,
    destPort: dp ?? other?.port ?? null,
    protocol: proto ? transportProtocol(proto[1] ?? proto[2]) : null,
    raw: line.trim(),
  }
}
