/**
 * FortiGate (FortiOS) key=value logs: forward traffic sessions and IP pool port block allocation (PBA).
 *
 * Traffic (type="traffic"), written when the session ends (or at intervals for long sessions):
 *   date=2025-03-14 time=10:17:47 eventtime=1741947467123456789 tz="+0545" logid="0000000013" type="traffic"
 *   subtype="forward" … srcip=10.20.1.15 srcport=50211 … dstip=198.51.100.7 dstport=443 … proto=6
 *   action="close" … trandisp="snat" transip=203.0.113.80 transport=50211 … duration=116 …
 *   inside = srcip/srcport, outside = transip/transport only when trandisp names "snat" and transip is a real
 *   address (a sniffer policy writes transip=0.0.0.0), destination = dstip/dstport.
 *   kind "session": end = the record's time, start = end − duration (seconds). action="start" records
 *   (log-traffic-start) are session-start. trandisp="dnat" from a public srcip to an inside tranip (a VIP) is
 *   turned round: inside = tranip/tranport, outside = dstip/dstport, destination = srcip/srcport. Denied traffic had no translation and is ignored.
 *
 * PBA events (type="event" subtype="system"), FortiOS Log Message Reference:
 *   22015 LOG_ID_IPPOOLPBA_CREATE, 22016 LOG_ID_IPPOOLPBA_DEALLOCATE, 22024 LOG_ID_IPPOOLPBA_INTERIM
 *   … logid="0100022015" … saddr="100.64.3.9" nat=203.0.113.90 portbegin=5120 portend=5375 poolname="cgn" …
 *   kind "port-block", phase open / close / interim. Their `duration` field is not used to date the block
 *   back (its meaning is not documented beyond "Duration"): a release or interim proves its own instant.
 *
 * Pairs are separated by spaces (syslog "default" format) or commas ("csv" format); unquoted values never
 * hold either.
 *
 * Time: `eventtime` (epoch in s, ms, µs or ns by its digit count, UTC) is preferred; else `date`+`time` in
 * the `tz` offset when present, else in the file's zone (date/time are device-local).
 */
import type {Line} from '../../io/lines.js'
import type {ParseContext} from '../../io/format.js'
import {canonicalIp, isInsideAddress} from '../../io/net.js'
import {parseOffset, type Resolved} from '../../io/time.js'
import type {NatEvent} from '../../model.js'
import type {NatFormat} from '../registry.js'
import {blankEvent, detectScore, evidence, port, PROTO_NUMBERS, portBlockEvent, MAX_RECORD_LINE, tooLong} from '../syslog.js'
import {startBefore} from './cisco-asa.js'

const KV = /([A-Za-z_][\w-]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g

/** Every key=value / key="value" of a line; the first occurrence of a key wins. */
export function keyValues(text: string, from = 0): Map<string, string> {
  const out = new Map<string, string>()
  KV.lastIndex = from
  let m: RegExpExecArray | null
  while ((m = KV.exec(text)) !== null) {
    const k = m[1]!
    if (!out.has(k)) out.set(k, m[2] !== undefined ? m[2].replace(/\\(["\\])/g, '$1') : m[3]!)
  }
  return out
}

/** FortiOS eventtime: seconds (10 digits), ms (13), µs (16) or ns (19) since the epoch → ms. */
export function epochMs(text: string | undefined): number | null {
  if (!text || !/^\d{9,19}$/.test(text)) return null
  const n = text.length
  let ms: number
  if (n <= 10) ms = Number(text) * 1000
  else if (n <= 13) ms = Number(text)
  else if (n <= 16) ms = Math.floor(Number(text.slice(0, n - 3)))
  else ms = Math.floor(Number(text.slice(0, n - 6)))
  // 2000-01-01 .. 2100-01-01
  return ms >= 946_684_800_000 && ms <= 4_102_444_800_000 ? ms : null
}

function stamp(kv: Map<string, string>, ctx: ParseContext): Resolved | undefined {
  const ev = epochMs(kv.get('eventtime'))
  if (ev !== null) return {ms: ev}
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(kv.get('date') ?? '')
  const t = /^(\d{2}):(\d{2}):(\d{2})$/.exec(kv.get('time') ?? '')
  if (!d || !t) return undefined
  const w = {year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(t[1]), minute: Number(t[2]), second: Number(t[3])}
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 60) return undefined
  // "+0545", "-0800"; some releases write "UTC+5:45" / "GMT-8"
  const tz = kv.get('tz')?.replace(/^(?:UTC|GMT)(?=[+-])/i, '')
  const off = tz ? parseOffset(tz) : undefined
  if (off !== undefined) return {ms: Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - off * 60_000}
  const r = ctx.time.wall(w)
  return Number.isNaN(r.ms) ? undefined : r
}

function protoOf(p: string | undefined): string | null {
  if (!p || !/^\d{1,3}$/.test(p)) return null
  return PROTO_NUMBERS[Number(p)] ?? null
}

const PBA: Record<string, 'open' | 'close' | 'interim'> = {'22015': 'open', '22016': 'close', '22024': 'interim'}
const DENIED = new Set(['deny', 'blocked', 'dropped'])


function parse(line: Line, ctx: ParseContext): NatEvent | null {
  const text = line.text
  const li = text.indexOf('logid=')
  if (li < 0) return null
  if (text.length > MAX_RECORD_LINE) return tooLong(line, ctx, true, 'FortiGate', MAX_RECORD_LINE)
  const isTraffic = text.includes('type="traffic"') || text.includes('type=traffic')
  const lm = /^logid="?(\d{10})"?/.exec(text.slice(li))
  const phase = lm && !isTraffic ? PBA[lm[1]!.slice(-5)] : undefined
  if (!isTraffic && !phase) return null
  const kv = keyValues(text)
  const name = isTraffic ? 'traffic' : `PBA ${lm![1]}`
  const bad = (why: string) => {
    ctx.malformed(line, `FortiGate ${name}: ${why}`)
    return null
  }
  const t = stamp(kv, ctx)
  if (!t) return bad('no readable eventtime or date/time')
  if (phase) {
    const inside = canonicalIp(kv.get('saddr') ?? '')
    const outside = canonicalIp(kv.get('nat') ?? '')
    const lo = port(kv.get('portbegin'))
    const hi = port(kv.get('portend'))
    if (!inside || !outside || lo === null || hi === null || hi < lo) return bad('saddr / nat / portbegin-portend unreadable')
    return portBlockEvent(t, evidence(line, ctx, phase === 'open' ? 'PBA block allocated' : phase === 'close' ? 'PBA block deallocated' : 'PBA block interim'), {inside, outside, lo, hi, phase})
  }
  const action = kv.get('action') ?? ''
  if (DENIED.has(action)) return null
  const src = canonicalIp(kv.get('srcip') ?? '')
  const dst = canonicalIp(kv.get('dstip') ?? '')
  if (!src || !dst) return bad('srcip / dstip unreadable')
  const start = action === 'start'
  const durText = kv.get('duration')
  const dur = durText !== undefined && /^\d{1,10}$/.test(durText) ? Number(durText) : null
  const kind = start ? 'session-start' : dur !== null ? 'session' : 'session-end'
  const e = blankEvent(kind, t, evidence(line, ctx, start ? 'traffic log (session start)' : 'traffic log (session)'))
  e.protocol = protoOf(kv.get('proto'))
  e.insideIp = src
  e.insidePort = port(kv.get('srcport'))
  e.destIp = dst
  e.destPort = port(kv.get('dstport'))
  const trandisp = kv.get('trandisp') ?? ''
  if (trandisp.includes('snat')) {
    const tip = canonicalIp(kv.get('transip') ?? '')
    if (tip && tip !== '0.0.0.0' && tip !== '::') {
      e.outsideIp = tip
      e.outsidePort = port(kv.get('transport'))
    }
  } else if (trandisp === 'dnat') {
    // inbound VIP: a public peer reached a server behind the public address dstip; tranip is the server
    const server = canonicalIp(kv.get('tranip') ?? '')
    if (server && server !== '0.0.0.0' && !isInsideAddress(src) && isInsideAddress(server)) {
      e.insideIp = server
      e.insidePort = port(kv.get('tranport'))
      e.outsideIp = dst
      e.outsidePort = port(kv.get('dstport'))
      e.destIp = src
      e.destPort = port(kv.get('srcport'))
    }
  }
  const user = kv.get('user') ?? kv.get('unauthuser')
  if (user && user !== 'N/A') e.subscriber = user
  if (!start) {
    e.end = t.ms
    if (dur !== null) startBefore(e, dur * 1000)
  }
  return e
}

const DETECT = /\blogid="?\d{10}"?\b/

export const fortigate: NatFormat = {
  name: 'fortigate',
  description: 'FortiGate key=value traffic logs (srcip -> transip with trandisp=snat; session dated back by duration) and IP pool PBA events 22015/22016/22024',
  detect: (sample) => detectScore(sample, (l) => DETECT.test(l) && (l.includes('type="traffic"') || l.includes('type=traffic') || l.includes('type="event"') || l.includes('type=event'))),
  parse,
  prefilter: true,
}
