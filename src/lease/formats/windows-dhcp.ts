/**
 * Windows Server DHCP audit log (`%windir%\System32\dhcp\DhcpSrvLog-Mon.log` …, one file per weekday,
 * overwritten weekly): a title and an event-ID legend, then CSV under the header
 *   ID,Date,Time,Description,IP Address,Host Name,MAC Address,User Name, TransactionID, QResult,…
 *   10,06/18/13,15:40:12,Assign,192.168.0.23,joao-pc.corp.example,001EC2AABBCC,,1234567,0,,,,,,,,,0
 * Date MM/DD/YY and time are the server's LOCAL time (--dhcp-tz or the system zone). MAC without separators.
 * IDs: 10 new lease, 11 renewal, 20/21 BOOTP lease → assign/renew; 12 release, 16 deleted → release;
 * 17/18 expired → expire. Not leases: 13 (address found in use: no MAC of the user), 14/15 (no lease /
 * denied), 24/25 cleanup, 30-36 DNS and dropped packets, 50+ rogue detection, 00-02 log start/stop.
 * The log states no lease time (leaseEnd null: the holdings engine assumes one).
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, csvFields, evidenceOf, leaseEvent, macOf} from '../common.js'
import type {LeaseEventKind} from '../../model.js'

const KIND: Record<string, LeaseEventKind> = {
  '10': 'assign', '11': 'renew', '20': 'assign', '21': 'assign', '12': 'release', '16': 'release', '17': 'expire', '18': 'expire',
}
const ROW = /^\d{2},\d{2}\/\d{2}\/\d{2,4},\d{1,2}:\d{2}:\d{2},/

export const windowsDhcp: LeaseFormat = {
  name: 'windows-dhcp',
  description: 'Windows Server DHCP audit log DhcpSrvLog-*.log (CSV, MM/DD/YY local time)',
  prefilter: true,
  detect(sample) {
    if (sample.some((l) => /^ID,Date,Time,Description,IP Address,Host Name,MAC Address/i.test(l.trim()))) return 0.97
    if (sample.some((l) => l.includes('Microsoft DHCP Service Activity Log'))) return 0.9
    const rows = sample.filter((l) => ROW.test(l)).length
    return rows >= 3 ? 0.6 : 0
  },
  parse(line, ctx) {
    const t = line.text
    if (!ROW.test(t)) return null
    const id = t.slice(0, 2)
    const kind = KIND[id]
    if (!kind) return null
    const f = csvFields(t)
    if (!f || f.length < 7) {
      ctx.malformed(line, `Windows DHCP event ${id}: too few columns`)
      return null
    }
    const [mo, d, yRaw] = f[1]!.split('/').map(Number) as [number, number, number]
    const [h, mi, s] = f[2]!.split(':').map(Number) as [number, number, number]
    const year = yRaw < 100 ? 2000 + yRaw : yRaw
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
      ctx.malformed(line, `Windows DHCP event ${id}: bad date/time "${f[1]} ${f[2]}"`)
      return null
    }
    const r = ctx.time.wall({year, month: mo, day: d, hour: h, minute: mi, second: s})
    const ip = clientIp(f[4])
    if (!ip) {
      ctx.malformed(line, `Windows DHCP event ${id} without a readable IP address`)
      return null
    }
    const mac = macOf(f[6])
    return leaseEvent(
      {event: kind, time: r.ms, ip, mac, hostname: cleanHostname(f[5]), timeAlt: r.alt},
      evidenceOf(ctx, line, `event ${id} ${f[3]!.trim()}`),
    )
  },
}
