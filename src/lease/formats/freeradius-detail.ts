/**
 * FreeRADIUS accounting `detail` files (radacct/<nas>/detail-YYYYMMDD): blank-line separated records,
 *   Tue Jun 18 15:40:12 2013                      <- server local time (ctime), no zone
 *   	Acct-Status-Type = Start                    <- Start | Interim-Update | Stop | Accounting-On | Accounting-Off
 *   	User-Name = "cliente0042"                   <- the SUBSCRIBER
 *   	Framed-IP-Address = 100.64.3.17             <- the inside address (records without it are skipped)
 *   	Calling-Station-Id = "00-1E-C2-AA-BB-CC"     <- MAC in any writing (or a phone number: then no MAC)
 *   	NAS-IP-Address = 10.0.0.2
 *   	Acct-Session-Id = "81500042"
 *   	Acct-Session-Time = 3600
 *   	Event-Timestamp = "Jun 18 2013 15:40:12 BRT" or 1371580812
 *   	Acct-Delay-Time = 0
 *   	Timestamp = 1371580812                      <- epoch written by the server
 * Time of the event: Event-Timestamp when it is an epoch or in UTC/GMT; else Timestamp − Acct-Delay-Time;
 * else the header read in --dhcp-tz / the system zone.
 * Events: Start → start; Interim-Update → interim; Stop → stop, preceded by a start at
 * stop − Acct-Session-Time (the NAS states how long the session lasted). A session without Stop ends, for
 * the holdings engine, at its last interim + the assumed lease time. Accounting-On / Accounting-Off (NAS
 * reboot) closes every session of that NAS still open in this file with a stop.
 */
import type {LeaseFormat} from '../registry.js'
import type {ParseContext} from '../../io/format.js'
import type {Line} from '../../io/lines.js'
import type {LeaseEvent} from '../../model.js'
import {clientIp, evidenceOf, leaseEvent, macOf} from '../common.js'
import {monthNumber} from '../../io/time.js'

const HEADER = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2})\s+(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\s*$/
const ATTR = /^\s+([A-Za-z0-9-]+)\s*[:+]?=\s*(.*?)\s*$/

interface Rec {
  first: Line
  texts: string[]
  attrs: Map<string, string>
  header: string
}

interface Open {
  ip: string
  mac: string | null
  subscriber: string | null
}

interface RadState {
  rec?: Rec
  /** NAS → session key → open session */
  open: Map<string, Map<string, Open>>
}

function unq(v: string | undefined): string | undefined {
  if (v === undefined) return undefined
  const t = v.trim()
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1) : t
}

/** "Jun 18 2013 15:40:12 UTC" or epoch → ms; undefined when only a local abbreviation is given */
function eventTimestamp(v: string | undefined): number | undefined {
  const t = unq(v)
  if (!t) return undefined
  if (/^\d{9,11}$/.test(t)) return Number(t) * 1000
  const m = /^([A-Z][a-z]{2})\s+(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: (UTC|GMT))?$/.exec(t)
  if (!m || !m[7]) return undefined
  const mo = monthNumber(m[1]!)
  if (!mo) return undefined
  return Date.UTC(Number(m[3]), mo - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]))
}

function finish(rec: Rec, ctx: ParseContext, st: RadState): LeaseEvent[] {
  const a = rec.attrs
  const type = unq(a.get('acct-status-type'))?.toLowerCase()
  const ev = (role: string) => evidenceOf(ctx, {no: rec.first.no, text: rec.texts.map((t) => t.trim()).join(' ')}, role)
  let time = eventTimestamp(a.get('event-timestamp'))
  let timeAlt: number | undefined
  if (time === undefined) {
    const ts = unq(a.get('timestamp'))
    if (ts && /^\d{9,11}$/.test(ts)) time = (Number(ts) - (Number(unq(a.get('acct-delay-time'))) || 0)) * 1000
  }
  if (time === undefined) {
    const h = HEADER.exec(rec.header)
    const mo = h ? monthNumber(h[1]!) : undefined
    if (h && mo) {
      const r = ctx.time.wall({year: Number(h[6]), month: mo, day: Number(h[2]), hour: Number(h[3]), minute: Number(h[4]), second: Number(h[5])})
      time = r.ms
      timeAlt = r.alt
    }
  }
  if (time === undefined || Number.isNaN(time)) {
    ctx.malformed(rec.first, 'RADIUS record without a readable time')
    return []
  }
  const nas = unq(a.get('nas-ip-address')) ?? unq(a.get('nas-identifier')) ?? '?'
  const sessions = st.open.get(nas) ?? new Map<string, Open>()
  st.open.set(nas, sessions)
  if (type === 'accounting-on' || type === 'accounting-off') {
    const out: LeaseEvent[] = []
    for (const s of sessions.values()) out.push(leaseEvent({event: 'stop', time, ip: s.ip, mac: s.mac, subscriber: s.subscriber, timeAlt}, ev(`${type === 'accounting-on' ? 'Accounting-On' : 'Accounting-Off'} of NAS ${nas}: closes its sessions`)))
    sessions.clear()
    return out
  }
  const ipText = unq(a.get('framed-ip-address'))
  if (!ipText) return [] // no address bound: nothing to attribute
  const ip = clientIp(ipText)
  if (!ip) {
    ctx.malformed(rec.first, `RADIUS record with an unreadable Framed-IP-Address "${ipText}"`)
    return []
  }
  const mac = macOf(unq(a.get('calling-station-id')))
  const subscriber = unq(a.get('user-name')) || null
  const key = unq(a.get('acct-unique-session-id')) ?? unq(a.get('acct-session-id')) ?? `${ip}|${mac}|${subscriber}`
  const f = {ip, mac, subscriber, timeAlt}
  if (type === 'start') {
    sessions.set(key, {ip, mac, subscriber})
    return [leaseEvent({...f, event: 'start', time}, ev('Accounting Start'))]
  }
  if (type === 'interim-update' || type === 'alive') {
    sessions.set(key, {ip, mac, subscriber})
    return [leaseEvent({...f, event: 'interim', time}, ev('Accounting Interim-Update'))]
  }
  if (type === 'stop') {
    sessions.delete(key)
    const out: LeaseEvent[] = []
    const dur = Number(unq(a.get('acct-session-time')))
    if (Number.isFinite(dur) && dur > 0) out.push(leaseEvent({...f, event: 'start', time: time - dur * 1000}, ev(`session start (Stop record: Acct-Session-Time ${dur} s)`)))
    out.push(leaseEvent({...f, event: 'stop', time}, ev('Accounting Stop')))
    return out
  }
  ctx.malformed(rec.first, `RADIUS record with Acct-Status-Type "${type ?? ''}" not understood`)
  return []
}

function state(ctx: ParseContext): RadState {
  return ((ctx.state.radius as RadState) ??= {open: new Map()})
}

export const freeradiusDetail: LeaseFormat = {
  name: 'freeradius-detail',
  description: 'FreeRADIUS accounting detail files (Start/Interim-Update/Stop, Framed-IP-Address, User-Name)',
  prefilter: false,
  detect(sample) {
    const headers = sample.filter((l) => HEADER.test(l)).length
    const attrs = sample.filter((l) => /^\s+(Acct-Status-Type|User-Name|NAS-IP-Address|Framed-IP-Address|Acct-Session-Id)\s*=/.test(l)).length
    return headers > 0 && attrs > 0 ? 0.95 : 0
  },
  parse(line, ctx) {
    const st = state(ctx)
    const t = line.text
    if (HEADER.test(t)) {
      const prev = st.rec
      st.rec = {first: line, texts: [t], attrs: new Map(), header: t}
      return prev ? finish(prev, ctx, st) : []
    }
    if (t.trim() === '') {
      const prev = st.rec
      st.rec = undefined
      return prev ? finish(prev, ctx, st) : null
    }
    const m = ATTR.exec(t)
    if (!m || !st.rec) return null
    st.rec.texts.push(t)
    st.rec.attrs.set(m[1]!.toLowerCase(), m[2]!)
    return []
  },
  flush(ctx) {
    const st = state(ctx)
    const prev = st.rec
    st.rec = undefined
    return prev ? finish(prev, ctx, st) : []
  },
}
