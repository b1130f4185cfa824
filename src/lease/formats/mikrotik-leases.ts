/**
 * MikroTik RouterOS lease table printed to a file (`/ip dhcp-server lease print detail file=leases` or
 * `print terse`): a snapshot without any wall-clock time, records of key=value pairs, wrapped over
 * indented continuation lines in `detail`:
 *    0 D address=192.168.88.254 mac-address=64:5A:04:6A:07:A2 client-id="1:64:5a:4:6a:7:a2" server=defconf
 *        status=bound expires-after=9m1s last-seen=59s active-address=192.168.88.254
 *        active-mac-address=64:5A:04:6A:07:A2 host-name="Satellite"
 * Only `status=bound` leases are read. The snapshot's instant is the file's modification time (when it was
 * printed); `last-seen` is the client's last DHCP exchange before it and `expires-after` what was left:
 * a `lease` from (mtime − last-seen) to (mtime + expires-after). Static entries that are not bound, offers
 * (status=offered, waiting) and the config `export` (no times at all) prove no holding.
 */
import type {LeaseFormat} from '../registry.js'
import type {ParseContext} from '../../io/format.js'
import type {Line} from '../../io/lines.js'
import type {LeaseEvent} from '../../model.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf} from '../common.js'

const START = /^\s*\d+\s+(?:[XRDB]+\s+)?[a-z-]+=/
const PAIR = /([a-z][a-z0-9-]*)=("(?:[^"\\]|\\.)*"|\S*)/g

interface Rec {
  first: Line
  texts: string[]
}

/** "1w2d3h4m5s", "9m1s", "59s", "00:09:01" → ms */
export function rosDuration(text: string | undefined): number | undefined {
  if (!text) return undefined
  const hms = /^(\d+):(\d{2}):(\d{2})$/.exec(text)
  if (hms) return ((Number(hms[1]) * 60 + Number(hms[2])) * 60 + Number(hms[3])) * 1000
  if (!/^(\d+[wdhms])+$/.test(text)) return undefined
  const unit: Record<string, number> = {w: 604800, d: 86400, h: 3600, m: 60, s: 1}
  let s = 0
  for (const m of text.matchAll(/(\d+)([wdhms])/g)) s += Number(m[1]) * unit[m[2]!]!
  return s * 1000
}

function finish(rec: Rec, ctx: ParseContext): LeaseEvent[] {
  const kv = new Map<string, string>()
  for (const t of rec.texts) for (const m of t.matchAll(PAIR)) kv.set(m[1]!, m[2]!.replace(/^"|"$/g, ''))
  if (kv.has('uptime') && kv.has('service')) return pppActive(rec, kv, ctx)
  if (kv.get('status') !== 'bound') return []
  const ip = clientIp(kv.get('active-address') || kv.get('address'))
  const mac = macOf(kv.get('active-mac-address') || kv.get('mac-address'))
  if (!ip || !mac) {
    ctx.malformed(rec.first, `RouterOS lease without a readable ${ip ? 'MAC' : 'address'}`)
    return []
  }
  const printed = ctx.file.mtimeMs
  const seen = rosDuration(kv.get('last-seen'))
  const left = rosDuration(kv.get('expires-after'))
  const start = printed - (seen ?? 0)
  const end = left === undefined ? printed : printed + left
  const text = rec.texts.map((t) => t.trim()).join(' ')
  return [
    leaseEvent(
      {event: 'lease', time: start, ip, mac, hostname: cleanHostname(kv.get('host-name')), leaseEnd: end},
      evidenceOf(ctx, {no: rec.first.no, text}, `bound lease in a lease table printed ${new Date(printed).toISOString()} (file time)`),
    ),
  ]
}

export const mikrotikLeases: LeaseFormat = {
  name: 'mikrotik-leases',
  description: 'MikroTik lease table / PPP active sessions printed to a file (snapshot at the file time)',
  prefilter: false,
  detect(sample) {
    const recs = sample.filter((l) => START.test(l) && /\b(address|name)=/.test(l)).length
    const known = sample.some((l) => /\bstatus=(bound|waiting|offered)\b/.test(l) || /\bservice=(pppoe|l2tp|pptp|sstp|ovpn)\b/.test(l))
    return recs > 0 && known ? 0.9 : 0
  },
  parse(line, ctx) {
    const st = ctx.state as {ros?: Rec}
    const t = line.text
    if (START.test(t)) {
      const prev = st.ros
      st.ros = {first: line, texts: [t]}
      return prev ? finish(prev, ctx) : []
    }
    if (st.ros && /^\s+\S/.test(t) && t.includes('=')) {
      st.ros.texts.push(t)
      return []
    }
    const prev = st.ros
    st.ros = undefined
    return prev ? finish(prev, ctx) : null
  },
  flush(ctx) {
    const st = ctx.state as {ros?: Rec}
    const prev = st.ros
    st.ros = undefined
    return prev ? finish(prev, ctx) : []
  },
}

/**
 * `/ppp active print detail` (PPPoE / L2TP / PPTP sessions): name = the SUBSCRIBER, caller-id = the CPE MAC
 * (PPPoE), address = the address handed out, uptime = how long the session had run at the print instant
 * (the file time): a `lease` from (file time − uptime) to the file time.
 */
function pppActive(rec: Rec, kv: Map<string, string>, ctx: ParseContext): LeaseEvent[] {
  const ip = clientIp(kv.get('address'))
  const up = rosDuration(kv.get('uptime'))
  const subscriber = kv.get('name') || null
  if (!ip || up === undefined || !subscriber) {
    ctx.malformed(rec.first, `RouterOS PPP session without a readable ${!ip ? 'address' : up === undefined ? 'uptime' : 'name'}`)
    return []
  }
  const printed = ctx.file.mtimeMs
  const mac = macOf(kv.get('caller-id'))
  const text = rec.texts.map((t) => t.trim()).join(' ')
  const ev = (role: string) => evidenceOf(ctx, {no: rec.first.no, text}, role)
  // one statement of a continuous session: held from (print − uptime) to the print
  return [leaseEvent({event: 'lease', time: printed - up, ip, mac, subscriber, leaseEnd: printed}, ev(`PPP session up ${kv.get('uptime')} at the print (file time ${new Date(printed).toISOString()})`))]

}
