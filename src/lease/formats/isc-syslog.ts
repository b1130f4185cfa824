/**
 * ISC dhcpd (and OpenBSD dhcpd, pfSense, Infoblox NIOS) syslog lines. Local time without year or zone
 * (ctx.time.syslog: the user's --dhcp-tz or the system zone; year from the anchor), or RFC 3339 with offset.
 *
 *   Jun 18 15:40:12 gw dhcpd: DHCPACK on 192.168.0.23 to 00:1e:c2:aa:bb:cc (joao-pc) via em0
 *   … dhcpd[17530]: DHCPACK on 192.168.0.4 to 00:50:56:83:6c:a0 (DESKTOP-ABCD) via eth3 relay eth3 lease-duration 1800 (RENEW) uid 01:…
 *   … dhcpd: DHCPRELEASE of 192.168.0.4 from 00:50:56:83:6c:a0 (DESKTOP-ABCD) via eth3 (found)
 *   … dhcpd: DHCPEXPIRE on 192.168.0.4 to 00:50:56:83:6c:a0
 *   … dhcpd: BOOTREPLY for 192.168.0.9 to printer (00:11:22:33:44:55) via em0
 *
 * Only a server's DHCPACK *on* an address grants it (`assign`, or `renew` when the line says "(RENEW)").
 * Not leases: DHCPDISCOVER/OFFER (an offer is not taken), DHCPREQUEST (the client's wish), DHCPNAK,
 * DHCPDECLINE, DHCPINFORM and its reply "DHCPACK to IP (MAC) via …" (the client configured the address
 * itself: the server granted nothing), DHCPRELEASE "(not found)" (the server had no such lease).
 * "(Hostname Unsuitable for Printing)" is dhcpd's placeholder for a name it will not print → hostname null.
 * The lease time is known only when the line says "lease-duration N" (Infoblox); otherwise leaseEnd is null
 * and the holdings engine assumes a lease length (documented there).
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf, syslogStamp} from '../common.js'
import {shareMatching} from '../../io/format.js'

const ACK = /^DHCPACK on (\S+) to (\S+)(?: \((.*?)\))? via (\S+)(.*)$/
const REL = /^DHCPRELEASE of (\S+) from (\S+)(?: \((.*?)\))? via (\S+)(.*)$/
const EXP = /^DHCPEXPIRE on (\S+) to (\S*)/
const BOOT = /^BOOTREPLY for (\S+) to (.*?) \((\S+)\) via/

function dhcpdLine(t: string): boolean {
  return t.includes('dhcpd') && (t.includes('DHCPACK') || t.includes('DHCPREQUEST') || t.includes('DHCPDISCOVER') || t.includes('DHCPRELEASE') || t.includes('DHCPOFFER') || t.includes('DHCPEXPIRE') || t.includes('DHCPINFORM'))
}

export const iscSyslog: LeaseFormat = {
  name: 'isc-syslog',
  description: 'ISC / OpenBSD dhcpd syslog (DHCPACK on, DHCPRELEASE, DHCPEXPIRE); local time without year',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample, dhcpdLine)
    return share > 0 ? 0.55 + 0.4 * share : 0
  },
  parse(line, ctx) {
    const text = line.text
    // cheap checks first: this runs on every line of a mixed syslog
    const d = text.indexOf('dhcpd')
    if (d < 0) return null
    const k = text.indexOf(': ', d)
    if (k < 0) return null
    const msg = text.slice(k + 2).trimStart()
    const c = msg.charCodeAt(0)
    if (c !== 68 /* D */ && c !== 66 /* B */) return null
    let kind: 'ack' | 'rel' | 'exp' | 'boot'
    let m: RegExpExecArray | null
    if (msg.startsWith('DHCPACK on ')) {
      kind = 'ack'
      m = ACK.exec(msg)
    } else if (msg.startsWith('DHCPRELEASE of ')) {
      kind = 'rel'
      m = REL.exec(msg)
    } else if (msg.startsWith('DHCPEXPIRE on ')) {
      kind = 'exp'
      m = EXP.exec(msg)
    } else if (msg.startsWith('BOOTREPLY for ')) {
      kind = 'boot'
      m = BOOT.exec(msg)
    } else return null // DHCPOFFER, DHCPREQUEST, DHCPINFORM, "DHCPACK to" (inform reply), DHCPNAK, …
    if (!m) {
      ctx.malformed(line, `dhcpd ${msg.slice(0, msg.indexOf(' '))} line not understood`)
      return null
    }
    const ts = syslogStamp(text.slice(0, d), ctx) ?? syslogStamp(text, ctx)
    if (!ts) {
      ctx.malformed(line, 'no readable timestamp at the start of the line')
      return null
    }
    const ip = clientIp(m[1])
    if (!ip) {
      ctx.malformed(line, `not an IP address: "${m[1]}"`)
      return null
    }
    const timeAlt = ts.alt
    if (kind === 'ack') {
      const mac = macOf(m[2])
      const tail = m[5] ?? ''
      // Infoblox "lease-duration 1800"; builds patched to log "lease-time 1800" / "(lease-time 1800)"
      const dur = / \(?lease-(?:duration|time)[ =:](\d+)/.exec(tail)
      const renew = tail.includes('(RENEW)')
      return leaseEvent(
        {
          event: renew ? 'renew' : 'assign', time: ts.ms, ip, mac, hostname: cleanHostname(m[3]), timeAlt,
          leaseEnd: dur ? ts.ms + Number(dur[1]) * 1000 : null,
        },
        evidenceOf(ctx, line, renew ? 'DHCPACK (renewal)' : 'DHCPACK'),
      )
    }
    if (kind === 'rel') {
      if (/\(not found\)/.test(m[5] ?? '')) return null // the server had no lease for this client: proves nothing
      return leaseEvent({event: 'release', time: ts.ms, ip, mac: macOf(m[2]), hostname: cleanHostname(m[3]), timeAlt}, evidenceOf(ctx, line, 'DHCPRELEASE'))
    }
    if (kind === 'exp') {
      return leaseEvent({event: 'expire', time: ts.ms, ip, mac: macOf(m[2]), timeAlt}, evidenceOf(ctx, line, 'DHCPEXPIRE'))
    }
    // BOOTP: dhcpd grants BOOTP clients an infinite lease unless dynamic-bootp-lease-length says otherwise
    return leaseEvent({event: 'assign', time: ts.ms, ip, mac: macOf(m[3]), hostname: cleanHostname(m[2]), timeAlt}, evidenceOf(ctx, line, 'BOOTREPLY'))
  },
}
