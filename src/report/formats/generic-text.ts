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
import {toZone} from '../../io/time.js'
import {findAddresses, type AddrToken} from '../addr.js'
import {keyValues, ticketFromSubject, transportProtocol} from '../common.js'
import {allText} from '../message.js'
import {offsetZoneName, readZoneToken} from '../time.js'
import type {FormatContext, ParseResult, ParsedTime, RawIncident, ReportFormat, ZoneConvention} from '../types.js'

type Col = 'time' | 'date' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'proto' | 'ip' | 'port' | 'other'

function colOf(name: string): Col {
  const n = name.toLowerCase().replace(/\((utc|gmt|z)\)/g, '').replace(/[\s_.-]+/g, '')
  if (/^(timestamp|time(stamp)?(utc|gmt|z)?|datetime|datetimeutc|when|eventtime|firstseen|lastseen|seen|hora|horario|fecha(hora)?|datahora|eventdatetime|eventdate(time)?|datetimeutc|dateandtime|attacktime|incidenttime|timeutc)$/.test(n)) return 'time'
  if (/^(date|data|fecha|day)$/.test(n)) return 'date'
  if (/^(src|source|sourceip|srcip|srcaddr|sourceaddress|ipsrc|attacker|attackerip|origem|origen|ipaddress|offender|offendingip|iporigen|ipdeorigen|iporigem|ipdeorigem|sourceaddr|srcaddress)$/.test(n)) return 'srcIp'
  if (/^(srcport|sourceport|sport|portsrc|attackerport|portaorigem|puertoorigen|portadeorigem|puertodeorigen)$/.test(n)) return 'srcPort'
  if (/^(dst|dest|destination|dstip|destip|destinationip|dstaddr|target|targetip|victim|victimip|destino|ipdst|ipdestino|ipdedestino|destaddr|dstaddress)$/.test(n)) return 'dstIp'
  if (/^(dstport|destport|destinationport|dport|targetport|victimport|portdst|portadestino|puertodestino|portadedestino|puertodedestino)$/.test(n)) return 'dstPort'
  if (/^(proto|protocol|protocolo|transport|ipprotocol|ipproto)$/.test(n)) return 'proto'
  if (/^(ip|addr|address|host)$/.test(n)) return 'ip'
  if (/^(port|porta|puerto)$/.test(n)) return 'port'
  return 'other'
}

const DELIMS: Array<[string, RegExp]> = [
  ['\t', /\t+/],
  ['|', /\s*\|\s*/],
  [';', /\s*;\s*/],
  [',', /\s*,\s*/],
  // columns aligned with runs of spaces, names with one space inside ("Source IP   Source port   Time (UTC)")
  ['  ', /\s{2,}/],
  [' ', /\s+/],
]

interface Header {
  cols: Col[]
  ch: string
  split: RegExp
  /** the time column's name states a zone ("Date (UTC)", "timestamp_utc") */
  zone?: ZoneConvention
}

/** Splits a row on a delimiter; comma/semicolon rows honour "quoted, cells"; cell quotes removed. */
export function splitCells(text: string, ch: string, re: RegExp): string[] {
  let cells: string[]
  if (ch === ',' || ch === ';') {
    cells = []
    let cur = ''
    let q = false
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!
      if (c === '"') {
        if (q && text[i + 1] === '"') {
          cur += '"'
          i++
        } else q = !q
      } else if (c === ch && !q) {
        cells.push(cur)
        cur = ''
      } else cur += c
    }
    cells.push(cur)
  } else cells = text.split(re)
  return cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1').trim())
}

/** "a | b |" → "a | b" (without a regex: /\s*\|$/ is quadratic on a long run of spaces) */
function dropTrailingPipe(t: string): string {
  return t.endsWith('|') ? t.slice(0, -1).trimEnd() : t
}

function readHeader(line: string): Header | undefined {
  const t = dropTrailingPipe(line.trim().replace(/^[#|]\s*/, ''))
  for (const [ch, re] of DELIMS) {
    if (ch !== ' ' && !t.includes(ch)) continue
    const names = splitCells(t, ch, re)
    const cols = names.map(colOf)
    const hasIp = cols.includes('srcIp') || cols.includes('ip') || cols.includes('dstIp') || cols.includes('srcPort')
    const hasTime = cols.includes('time') || cols.includes('date')
    // a space-separated header must be mostly column names; an explicit delimiter may carry many extra columns
    const others = cols.filter((c) => c === 'other').length
    if (cols.length >= 3 && hasIp && hasTime && (ch !== ' ' || others <= cols.length / 2)) {
      const timeName = names[cols.findIndex((c) => c === 'time' || c === 'date')] ?? ''
      const z = /\b(utc|gmt)\b|_utc$/i.test(timeName) ? {zone: 'UTC', how: 'stated' as const, why: `the column "${timeName.trim()}" states UTC`} : undefined
      return {cols, ch, split: re, zone: z}
    }
  }
  return undefined
}

const FLOW = /->|→|=>|<-|←|<=|\s>\s|\sto\s/
const SRC_LABEL = /\b(?:source|src|origen|origem|from)(?:[ _-]?(?:ip|address|addr|host))?\s*[:=]\s*$/i
const DST_LABEL = /^[\s,;]*(?:destination|dest|dst|destino|target|to|para|hacia)(?:[ _-]?(?:ip|address|addr|host))?\s*[:=]\s*$/i

function portNum(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,5}$/.test(s.trim())) return null
  const n = Number(s)
  return n <= 65535 ? n : null
}

const SOURCE_PORT = /\bspt=(\d{1,5})\b|\b(?:source|src|s)[ _-]?port\s*[:=]?\s*(\d{1,5})\b|\bsport\s*[:=]?\s*(\d{1,5})\b|porta\s+de\s+origem\s*:?\s*(\d{1,5})|puerto\s+(?:de\s+)?origen\s*:?\s*(\d{1,5})/i
const DEST_PORT = /\bdpt=(\d{1,5})\b|\b(?:destination|dest|dst|d|target)[ _-]?port\s*[:=]?\s*(\d{1,5})\b|\bdport\s*[:=]?\s*(\d{1,5})\b|porta\s+(?:de\s+)?destino\s*:?\s*(\d{1,5})|puerto\s+(?:de\s+)?destino\s*:?\s*(\d{1,5})|\bport\s*[:=#]?\s*(\d{1,5})\b|\bporta\s*:?\s*(\d{1,5})\b|\bpuerto\s*:?\s*(\d{1,5})\b/i
const PROTO = /\b(tcp|udp|icmp|sctp)\b|\bproto(?:col)?\s*[:=]?\s*(\d{1,3}|tcp|udp|icmp)\b/i

function firstGroup(m: RegExpExecArray | null): string | undefined {
  return m ? m.slice(1).find((g) => g !== undefined) : undefined
}

/** "Time Zone: UTC", "All times are UTC", "Fuso horário: -03:00": a zone the document declares for its stamps. */
export function declaredZone(text: string): ZoneConvention | undefined {
  const m =
    /^[\s>*-]*(?:time[ -]?zone|timezone|tz|fuso(?: hor[aá]rio)?|zona horaria|huso horario)\s*[:=]\s*([A-Za-z]+\/[A-Za-z_]+|[A-Z]{1,5}(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})\s*$/im.exec(text) ??
    /\ball (?:times|timestamps|dates)(?: (?:are|shown|listed|given))?(?: in)? ([A-Z]{2,5}|UTC[+-]\d{1,2})\b/.exec(text)
  if (!m) return undefined
  const z = m[1]!.trim()
  const tok = readZoneToken(z)
  if (tok && !tok.ambiguous) return {zone: offsetZoneName(tok.offset), how: 'stated', why: `the report declares its zone ("${m[0].trim()}")`}
  try {
    toZone(z)
    return {zone: z, how: 'stated', why: `the report declares its zone ("${m[0].trim()}")`}
  } catch {
    return undefined
  }
}

const CONTEXT_IP = /^[\s>*-]*(?:source|src|offending(?:\/source)?|attacker|attacking|reported|abusive|infected)[\w /-]{0,20}?(?:ip|address|host)[\w ]{0,12}:\s*\(?\[?([0-9a-fA-F.:]+)\]?\)?\s*$/im

export const genericText: ReportFormat = {
  name: 'generic-text',
  description: 'free text and tables: "timestamp src_ip src_port dst_ip dst_port", "ip:port -> ip:port", key: value blocks, prose with an IP and a time',
  detect(msg) {
    const text = allText(msg)
    return findAddresses(text).some((a) => a.ip !== null || a.masked) ? 0.3 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    const text = allText(msg)
    const subjectIps = [...new Set(findAddresses(msg.subject ?? '').filter((a) => a.ip).map((a) => a.ip!))]
    const declared = declaredZone(text)
    const ctxIpMatch = CONTEXT_IP.exec(text)
    const contextIp = (ctxIpMatch ? canonicalIp(ctxIpMatch[1]!) : null) ?? (subjectIps.length === 1 ? subjectIps[0]! : null)
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
      // a header row names columns and carries no address; a data line has digits
      const h = !/\d\.\d+\.\d|::/.test(line) ? readHeader(line) : undefined
      if (h) {
        header = h
        return
      }
      if (!/\d/.test(line)) return
      const t = ctx.parseTime(line, header?.zone ?? declared)
      const addrs = findAddresses(line)
      if (addrs.length === 0) {
        if (t && /^\s*[\w ]{0,30}(date|time|hora|data|fecha|timestamp)\b[^:]{0,20}:/i.test(line)) lastTime = t
        return
      }
      if (header) {
        const inc = fromRow(line, header, t, ctx, contextIp, declared)
        if (inc) {
          inc.rawLine = k + 1
          incidents.push(inc)
          return
        }
      }
      const time = t ?? lastTime
      if (!time) return
      const inc = fromFlow(line, addrs, time, contextIp ? [contextIp, ...subjectIps] : subjectIps) ?? fromProse(line, addrs, time, subjectIps)
      if (inc) {
        inc.rawLine = k + 1
        ;(t ? incidents : candidates).push(inc)
      }
    })
    if (incidents.length === 0) incidents.push(...fromKeyValueBlocks(text, ctx, declared))
    // a lone "Date:" line's stamp applies to address lines below it only when no line carries its own stamp
    if (incidents.length === 0) incidents.push(...candidates)
    return {incidents, ticket: ticketFromSubject(msg.subject)}
  },
}

const KV_IP = /^(?:(?:source|src|offending|offending\/source|attacker|attacking|reported|abusive|infected)[\w /-]*)?(?:ip|ip address|ip-address|address|host)$|^(?:source|src|attacker|offender)$/
const KV_TIME = /^(?:(?:event|attack|incident|last|first|report)[ _-]?)?(?:time|date|timestamp|date\/time|datetime|seen)(?:[ _-]?\(?utc\)?)?$/
const KV_SRC_PORT = /^(?:source|src|attacker)[ _-]?port$/
const KV_PORT = /^(?:(?:destination|dest|dst|target|targeted|attacked|victim)[ _-]?)?port$/

/** "Key: value" blocks (bullet lists of one incident each): IP, time and ports by key name. */
function fromKeyValueBlocks(text: string, ctx: FormatContext, declared: ZoneConvention | undefined): RawIncident[] {
  const out: RawIncident[] = []
  for (const block of text.split(/\n\s*\n/)) {
    const kv = keyValues(block)
    let ipKey: string | undefined
    let ip: string | null = null
    for (const [k, v] of kv) {
      if (!KV_IP.test(k)) continue
      const a = canonicalIp(v.replace(/^\[|\]$/g, ''))
      if (a) {
        ipKey = k
        ip = a
        break
      }
    }
    if (!ip) continue
    const timeText = [...kv].find(([k]) => KV_TIME.test(k))?.[1]
    const t = timeText ? ctx.parseTime(timeText, declared) : undefined
    if (!t) continue
    const sp = portNum([...kv].find(([k]) => KV_SRC_PORT.test(k))?.[1])
    const dp = portNum([...kv].find(([k]) => KV_PORT.test(k))?.[1])
    const proto = [...kv].find(([k]) => /^(?:protocol|proto|transport)$/.test(k))?.[1]
    out.push({
      time: t.ms,
      zone: t.zone,
      publicIp: ip,
      publicPort: sp ?? dp,
      portRole: sp !== null ? 'source' : dp !== null ? 'destination' : null,
      destIp: null,
      destPort: dp,
      protocol: transportProtocol(proto),
      raw: [`${ipKey}: ${ip}`, `time: ${timeText}`, sp !== null ? `source port: ${sp}` : '', dp !== null ? `port: ${dp}` : ''].filter(Boolean).join(' | '),
    })
  }
  return out
}

function fromRow(line: string, h: Header, t: ParsedTime | undefined, ctx: FormatContext, contextIp: string | null, declared: ZoneConvention | undefined): RawIncident | undefined {
  const cells = splitCells(dropTrailingPipe(line.trim().replace(/^\|\s*/, '')), h.ch, h.split)
  const conv = h.zone ?? declared
  let time = t
  const vals: Partial<Record<Col, string>> = {}
  let ci = 0
  for (let i = 0; i < h.cols.length && ci < cells.length; i++) {
    const col = h.cols[i]!
    if (col === 'time' || col === 'date') {
      // a stamp with spaces spans several cells when the delimiter is a space: take as many cells as form one stamp
      let best = 1
      for (let n = 1; n <= 4 && ci + n <= cells.length; n++) {
        if (ctx.parseTime(cells.slice(ci, ci + n).join(' '), conv, true)) best = n
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
  if (vals.time) time = ctx.parseTime(vals.time, conv) ?? time
  if (!time) return undefined
  const srcText = vals.srcIp ?? vals.ip ?? contextIp ?? undefined
  if (!srcText) return undefined
  const src = findAddresses(srcText)[0]
  if (!src) return undefined
  // "192.168.0.0/24" in a target column is a network, not an address with a port
  const dstIsNet = vals.dstIp !== undefined && /\/(\d{1,3})$/.test(vals.dstIp) && Number(/\/(\d{1,3})$/.exec(vals.dstIp)![1]) <= (vals.dstIp.includes(':') ? 128 : 32) && vals.dstPort === undefined
  const dst = vals.dstIp && !dstIsNet ? findAddresses(vals.dstIp)[0] : undefined
  const sport = portNum(vals.srcPort) ?? (vals.srcPort === undefined && (vals.srcIp ?? vals.ip) ? src.port : null)
  const bare = portNum(vals.port)
  const dport = portNum(vals.dstPort) ?? dst?.port ?? (dst || vals.dstPort !== undefined ? bare : null)
  let publicPort: number | null = null
  let role: RawIncident['portRole'] = null
  if (sport !== null) {
    publicPort = sport
    role = 'source'
  } else if (dport !== null) {
    publicPort = dport
    role = 'destination'
  } else if (bare !== null) {
    // a bare "port" column next to the reported ip: what it is, the table does not say
    publicPort = bare
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
    destMasked: dst?.masked ? dst.text : undefined,
    destPort: dport,
    protocol: transportProtocol(vals.proto),
    raw: line.trim(),
  }
}

function fromFlow(line: string, addrs: AddrToken[], t: ParsedTime, ours: string[]): RawIncident | undefined {
  if (addrs.length < 2) return undefined
  const a = addrs[0]!
  const b = addrs[1]!
  const between = line.slice(a.index + a.length, b.index)
  // "Source: ip:port  Destination: ip:port" (any language): labels say which side is which
  const labeled = SRC_LABEL.test(line.slice(0, a.index)) && DST_LABEL.test(between)
  if (!labeled && !FLOW.test(` ${between} `) && !/^\s*(->|>|→|=>|<-|←|<=)\s*$/.test(between)) return undefined
  const reversed = /<-|←|<=/.test(between)
  const [src, dst] = reversed ? [b, a] : [a, b]
  // "SRC=ip DST=ip … SPT=n DPT=n" (a pasted iptables line): the ports are labelled apart from the addresses
  const srcPort = src.port ?? (labeled ? portNum(firstGroup(SOURCE_PORT.exec(line))) : null)
  const dstPort = dst.port ?? (labeled ? portNum(firstGroup(/\bdpt=(\d{1,5})\b|\b(?:destination|dest|dst)[ _-]?port\s*[:=]?\s*(\d{1,5})\b/i.exec(line))) : null)
  const proto = PROTO.exec(line)
  const protocol = proto ? transportProtocol(proto[1] ?? proto[2]) : null
  if (dst.ip && ours.includes(dst.ip) && !(src.ip && ours.includes(src.ip))) {
    // the reported IP is the flow's TARGET (someone connected to it): its port is one it listens on
    return {
      time: t.ms,
      zone: t.zone,
      publicIp: dst.ip,
      publicPort: dst.port,
      portRole: dst.port !== null ? 'listening' : null,
      destIp: src.ip,
      destPort: src.port,
      protocol,
      raw: line.trim(),
    }
  }
  return {
    time: t.ms,
    zone: t.zone,
    publicIp: src.ip,
    publicIpMasked: src.masked,
    publicIpPattern: src.masked ? src.text : undefined,
    publicPort: srcPort,
    portRole: srcPort !== null ? 'source' : null,
    destIp: dst.ip,
    destMasked: dst.masked ? dst.text : undefined,
    destPort: dstPort,
    protocol,
    raw: line.trim(),
  }
}

const SOURCE_WORDS = /\b(from|by|source|src|attacker|attacking|offending|origem|origen|desde|infected|compromised)\b[\s\w-]{0,12}[:=]?\s*\(?\[?$/i
const TARGET_WORDS = /\b(our|my|to|against|target|targeted|destination|dst|destino|victim|towards|contra|para)\b[\s\w-]{0,12}[:=]?\s*\(?\[?$/i

/** Of several addresses on a prose line, the one the words before it name as the source (first on a tie). */
function likelySource(line: string, addrs: AddrToken[]): AddrToken | undefined {
  let best: AddrToken | undefined
  let bestScore = -Infinity
  for (const a of addrs) {
    const before = line.slice(Math.max(0, a.index - 30), a.index)
    const score = (SOURCE_WORDS.test(before) ? 2 : 0) - (TARGET_WORDS.test(before) ? 2 : 0)
    if (score > bestScore) [best, bestScore] = [a, score]
  }
  return best
}

function fromProse(line: string, addrs: AddrToken[], t: ParsedTime, subjectIps: string[]): RawIncident | undefined {
  // the reported IP: the one the subject names, else the address the words around it call the source
  const ours = addrs.find((a) => a.ip && subjectIps.includes(a.ip)) ?? (addrs.length === 1 ? addrs[0] : subjectIps.length === 0 ? likelySource(line, addrs) : undefined)
  if (!ours) return undefined
  const other = addrs.find((a) => a !== ours && a.ip)
  // sshd / auth.log: "Failed password for root from 203.0.113.5 port 52218 ssh2": the client's (our) source port
  const sshd =
    ours.port !== null && /\bfrom\s*$/i.test(line.slice(Math.max(0, ours.index - 8), ours.index)) && /\sport\s/i.test(line.slice(ours.index, ours.index + ours.length))
  const sp = sshd ? ours.port : portNum(firstGroup(SOURCE_PORT.exec(line)))
  const dpText = firstGroup(DEST_PORT.exec(line.replace(SOURCE_PORT, ' ')))
  const dp = portNum(dpText)
  const proto = PROTO.exec(line)
  let publicPort: number | null = sp
  let role: RawIncident['portRole'] = sp !== null ? 'source' : null
  const open = /\b(open|listening|exposed|publicly accessible|accessible from the internet)\b|\baberta\b|\babierto\b/i.test(line) && !/attack|brute|login|ataque|against/i.test(line)
  if (publicPort === null && dp !== null && open && !other) {
    // "port 23 is open on 192.0.2.7": a port our host listens on
    publicPort = dp
    role = 'listening'
  } else if (publicPort === null && dp !== null) {
    // "attacked our server on port 22": the attacked port, never our source port
    publicPort = dp
    role = 'destination'
  } else if (publicPort === null && ours.port !== null) {
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
