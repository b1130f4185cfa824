/**
 * dnsmasq DHCP log lines (syslog, OpenWrt `logread`, `log-facility` files):
 *
 *   Jun 18 15:40:12 router dnsmasq-dhcp[2985]: DHCPACK(br-lan) 192.168.1.42 54:e1:ad:f7:88:5f tom-ntb
 *   Mon Apr 11 15:02:46 2022 daemon.info dnsmasq-dhcp[2985]: 3046253498 DHCPACK(br-lan) 192.168.1.42 54:e1:… tom-ntb
 *   … dnsmasq-dhcp[2985]: DHCPRELEASE(br-lan) 192.168.1.42 54:e1:ad:f7:88:5f
 *
 * Only DHCPACK grants a lease (`assign`; dnsmasq does not log the lease time: leaseEnd null). Not leases:
 * DHCPDISCOVER (its IP is only the client's wish), DHCPOFFER, DHCPREQUEST, DHCPNAK, DHCPDECLINE, and the
 * DHCPACK that answers a DHCPINFORM (same IP and MAC just before): the client configured that address itself.
 * dnsmasq logs no expiry. With `log-dhcp` a transaction number precedes the message; it is skipped.
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf, syslogStamp} from '../common.js'
import {shareMatching} from '../../io/format.js'

const MSG = /^(?:\d+ )?(DHCP[A-Z]+)\(([^)]*)\) (\S+)(?: (\S+))?(?: (.+))?$/

export const dnsmasqSyslog: LeaseFormat = {
  name: 'dnsmasq-syslog',
  description: 'dnsmasq DHCP log (dnsmasq-dhcp[pid]: DHCPACK(iface) IP MAC host); local time',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample, (l) => l.includes('dnsmasq-dhcp') && l.includes('DHCP'))
    return share > 0 ? 0.55 + 0.4 * share : 0
  },
  parse(line, ctx) {
    const text = line.text
    const d = text.indexOf('dnsmasq-dhcp')
    if (d < 0) return null
    const k = text.indexOf(': ', d)
    if (k < 0) return null
    const msg = text.slice(k + 2).trim()
    const m = MSG.exec(msg)
    if (!m) return null
    const verb = m[1]!
    if (verb !== 'DHCPACK' && verb !== 'DHCPRELEASE' && verb !== 'DHCPINFORM' && verb !== 'DHCPREQUEST') return null
    const ip = clientIp(m[3])
    const mac = macOf(m[4])
    const informs = ((ctx.state.dnsmasqInform as Map<string, number>) ??= new Map())
    const ts = syslogStamp(text.slice(0, d), ctx) ?? syslogStamp(text, ctx)
    if (!ts) {
      ctx.malformed(line, 'no readable timestamp at the start of the line')
      return null
    }
    if (!ip) {
      // DHCPv6 lines carry an IPv6 address and a DUID; an unreadable IPv4 is malformed
      if (!m[3]!.includes(':')) ctx.malformed(line, `not an IP address: "${m[3]}"`)
      return null
    }
    const key = `${ip} ${mac}`
    if (verb === 'DHCPINFORM') {
      informs.set(key, ts.ms)
      return null
    }
    if (verb === 'DHCPREQUEST') {
      informs.delete(key)
      return null
    }
    if (verb === 'DHCPRELEASE') return leaseEvent({event: 'release', time: ts.ms, ip, mac, timeAlt: ts.alt}, evidenceOf(ctx, line, 'DHCPRELEASE'))
    const inf = informs.get(key)
    if (inf !== undefined && ts.ms - inf <= 10_000 && ts.ms >= inf - 1000) {
      informs.delete(key)
      return null // the reply to a DHCPINFORM grants nothing
    }
    return leaseEvent({event: 'assign', time: ts.ms, ip, mac, hostname: cleanHostname(m[5]), timeAlt: ts.alt}, evidenceOf(ctx, line, 'DHCPACK'))
  },
}
