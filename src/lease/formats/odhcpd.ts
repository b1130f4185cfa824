/**
 * OpenWrt odhcpd state file (`/tmp/hosts/odhcpd`, option `leasefile`), DHCPv4 lines:
 *   # br-lan 3c22fb102030 ipv4 ana-tablet 1371584412 a1e0017 32 10.30.0.23/32
 *   # <iface> <hwaddr hex (or ether_ntoa form)> ipv4 [broken\x20]<hostname|-> <valid-until epoch|-1|0> <hex addr> 32 <ip>/32
 * Like the dnsmasq leases file it is rewritten in place and holds the present only: a line proves the MAC held
 * the address when the file was written (its modification time) until valid-until (-1: infinite → open;
 * 0: already expired → only the write instant... which it no longer held: skipped). DHCPv6 lines (DUID, no
 * MAC) and the host lines without '#' are skipped.
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf} from '../common.js'
import {shareMatching} from '../../io/format.js'

const V4 = /^# (\S+) (\S+) ipv4 (\S+) (-?\d+) [0-9a-f]+ 32 (\S+?)(?:\/32)?\s*$/i

export const odhcpd: LeaseFormat = {
  name: 'odhcpd',
  description: 'OpenWrt odhcpd state file (# iface hwaddr ipv4 host valid-until … ip/32)',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample.filter((l) => l.startsWith('# ')), (l) => / ipv4 /.test(l) || /^# \S+ [0-9a-f]{10,} [0-9a-f]+ /i.test(l))
    return sample.some((l) => V4.test(l)) ? 0.5 + 0.45 * share : 0
  },
  parse(line, ctx) {
    const t = line.text
    if (!t.startsWith('# ') || !t.includes(' ipv4 ')) return null
    const m = V4.exec(t)
    if (!m) {
      ctx.malformed(line, 'odhcpd ipv4 line not understood')
      return null
    }
    const ip = clientIp(m[5])
    const mac = macOf(m[2])
    if (!ip || !mac) {
      ctx.malformed(line, `odhcpd ipv4 line with an unreadable ${ip ? 'MAC' : 'address'}`)
      return null
    }
    const valid = Number(m[4])
    if (valid === 0) return null
    const written = ctx.file.mtimeMs
    const end = valid < 0 ? Infinity : valid * 1000
    const hostname = m[3]!.startsWith('broken') ? null : cleanHostname(m[3])
    return leaseEvent({event: 'lease', time: Math.min(written, end), ip, mac, hostname, leaseEnd: end}, evidenceOf(ctx, line, `current lease (file written ${new Date(written).toISOString()})`))
  },
}
