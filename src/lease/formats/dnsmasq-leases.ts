/**
 * dnsmasq leases file (`/var/lib/misc/dnsmasq.leases`, OpenWrt `/tmp/dhcp.leases`):
 *
 *   1371591612 00:1e:c2:aa:bb:cc 192.168.1.23 joao-pc 01:00:1e:c2:aa:bb:cc
 *   <expiry epoch> <MAC> <IP> <hostname or *> <client-id or *>
 *
 * Builds without a real-time clock (HAVE_BROKEN_RTC, many OpenWrt images) write the lease LENGTH in the first
 * column instead of the expiry: values below 10^9 (before 2001) are read as lengths.
 * The file is rewritten in place and holds only the present; a lease's start is not in it. What a line proves:
 * the MAC held the IP when the file was written (its modification time), until the expiry when known. So
 * a `lease` event from the file's mtime (or the expiry, if earlier) to the expiry; for a length-only line,
 * the single instant of the mtime. Never earlier. DHCPv6 lines (after a `duid` line) name no MAC: skipped.
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf} from '../common.js'
import {shareMatching} from '../../io/format.js'

const LINE = /^(\d+) (\S+) (\S+) (\S+)(?: (\S+))?\s*$/

export const dnsmasqLeases: LeaseFormat = {
  name: 'dnsmasq-leases',
  description: 'dnsmasq leases file (expiry or, without RTC, lease length; MAC; IP; host; client-id)',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample, (l) => {
      if (/^duid [0-9a-f:]+\s*$/i.test(l)) return true
      const m = LINE.exec(l)
      return !!m && !!clientIp(m[3]) && (!!macOf(m[2]) || m[3]!.includes(':'))
    })
    return share >= 0.6 ? 0.5 + 0.45 * share : 0
  },
  parse(line, ctx) {
    const t = line.text
    const c = t.charCodeAt(0)
    if (c < 48 || c > 57) return null
    const m = LINE.exec(t)
    if (!m) return null
    const ip = clientIp(m[3])
    if (!ip || ip.includes(':')) return null // DHCPv6 (IAID, DUID): no MAC
    const mac = macOf(m[2])
    if (!mac) {
      ctx.malformed(line, `not a MAC address: "${m[2]}"`)
      return null
    }
    const first = Number(m[1])
    const written = ctx.file.mtimeMs
    const hostname = cleanHostname(m[4])
    if (first < 1e9) {
      // lease length (no-RTC build): only "held when the file was written" is known
      return leaseEvent({event: 'lease', time: written, ip, mac, hostname, leaseEnd: written}, evidenceOf(ctx, line, `current lease (length ${first} s; file written ${new Date(written).toISOString()})`))
    }
    const expiry = first * 1000
    const start = Math.min(written, expiry)
    return leaseEvent({event: 'lease', time: start, ip, mac, hostname, leaseEnd: expiry}, evidenceOf(ctx, line, `current lease (file written ${new Date(written).toISOString()})`))
  },
}
