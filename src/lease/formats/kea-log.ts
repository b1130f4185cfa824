/**
 * Kea DHCPv4 server log lines and the forensic "legal log" (libdhcp_legal_log.so).
 *
 * Server log (own file: local time without zone; or syslog):
 *   2013-06-18 15:40:12.416 INFO  [kea-dhcp4.leases/24.1397] DHCP4_LEASE_ALLOC [hwtype=1 00:1e:c2:aa:bb:cc], cid=[01:00:…], tid=0x21f2433a: lease 192.168.0.23 has been allocated for 3600 seconds
 *   … DHCP4_LEASE_REUSE [hwtype=1 …], cid=[…], tid=…: lease 192.168.0.23 has been reused for 3100 seconds
 *   … DHCP4_RELEASE [hwtype=1 …], cid=[…], tid=…: address 192.168.0.23 was released properly.
 *   … DHCP4_RELEASE_DELETED / DHCP4_RELEASE_EXPIRED [hwtype=1 …], …: address 192.168.0.23 was deleted/expired on release.
 * DHCP4_LEASE_ADVERT (old) / DHCP4_LEASE_OFFER (new) only offer an address ("will be advertised"): not leases.
 *
 * Legal log (one file per day, `kea-legal*.txt`; stamp "%Y-%m-%d %H:%M:%S %Z", local time with a zone
 * ABBREVIATION — only UTC/GMT are taken as stated, any other abbreviation is read in --dhcp-tz / the system zone):
 *   2013-06-18 15:40:12 BRT Address: 192.168.0.23 has been assigned for 1 hrs 0 mins 0 secs to a device with hardware address: hwtype=1 00:1e:c2:aa:bb:cc, client-id: 01:00:…
 *   … Address: 192.168.0.23 has been renewed for 0 hrs 52 min 15 secs to a device with hardware address: hwtype=1 …
 *   … Address: 192.168.0.23 has been released from a device with hardware address: hwtype=1 …
 *   … Administrator added a lease of address: 192.168.0.23 to a device with hardware address: … for 1 hrs 0 mins 0 secs
 *   … Administrator deleted the lease for address: 192.168.0.23
 * Both give lease times: `assign`/`renew` with leaseEnd = time + duration ("infinite duration" → open).
 */
import type {LeaseFormat} from '../registry.js'
import {clientIp, evidenceOf, leaseEvent, macOf, syslogStamp} from '../common.js'
import {shareMatching} from '../../io/format.js'

const HW = /\[hwtype=\d+ ([0-9a-fA-F:]+)\]/
const LEGAL_TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([A-Za-z][A-Za-z0-9+-]{0,5}))? /
const DURATION = /(?:(\d+) days? )?(\d+) hrs? (\d+) mins? (\d+) secs?/

function durationMs(text: string): number | null | undefined {
  if (text.includes('infinite duration')) return null
  const m = DURATION.exec(text)
  if (!m) return undefined
  return ((Number(m[1] ?? 0) * 24 + Number(m[2])) * 3600 + Number(m[3]) * 60 + Number(m[4])) * 1000
}

function isKeaLine(l: string): boolean {
  return l.includes('DHCP4_') || (l.includes('Address: ') && l.includes('hardware address')) || l.includes('Administrator ')
}

export const keaLog: LeaseFormat = {
  name: 'kea-log',
  description: 'Kea DHCPv4 log (DHCP4_LEASE_ALLOC, DHCP4_RELEASE) and forensic legal log (libdhcp_legal_log)',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample, isKeaLine)
    const strong = sample.some((l) => /DHCP4_LEASE_ALLOC|DHCP4_RELEASE|has been (assigned|renewed|released)/.test(l))
    return strong ? 0.6 + 0.35 * share : 0
  },
  parse(line, ctx) {
    const text = line.text
    // --- server log ---
    const k = text.indexOf('DHCP4_')
    if (k >= 0) {
      const rest = text.slice(k)
      let kind: 'alloc' | 'release' | null = null
      if (rest.startsWith('DHCP4_LEASE_ALLOC') || rest.startsWith('DHCP4_LEASE_REUSE')) kind = 'alloc'
      else if (rest.startsWith('DHCP4_RELEASE')) kind = 'release'
      if (!kind) return null
      const ts = syslogStamp(text, ctx)
      const hw = HW.exec(rest)
      const addr = /: (?:lease|address) (\S+) (?:has been|was) /.exec(rest)
      const ip = clientIp(addr?.[1])
      if (!ts || !ip) {
        ctx.malformed(line, ts ? 'Kea lease line without a readable address' : 'no readable timestamp')
        return null
      }
      if (kind === 'release') {
        if (!/released properly|deleted on release|expired on release/.test(rest)) return null
        return leaseEvent({event: 'release', time: ts.ms, ip, mac: macOf(hw?.[1]), timeAlt: ts.alt}, evidenceOf(ctx, line, rest.slice(0, rest.indexOf(' '))))
      }
      const secs = /for (\d+) seconds/.exec(rest)
      const reuse = rest.startsWith('DHCP4_LEASE_REUSE')
      return leaseEvent(
        {event: reuse ? 'renew' : 'assign', time: ts.ms, ip, mac: macOf(hw?.[1]), leaseEnd: secs ? ts.ms + Number(secs[1]) * 1000 : null, timeAlt: ts.alt},
        evidenceOf(ctx, line, reuse ? 'DHCP4_LEASE_REUSE' : 'DHCP4_LEASE_ALLOC'),
      )
    }
    // --- legal log ---
    const a = text.indexOf('ddress')
    if (a < 0) return null
    const legal = /(?:^|\s)Address: ?(\S+) has been (assigned|renewed|released) /.exec(text)
    const admin = legal ? null : /Administrator (added|updated information on|deleted) (?:a|the) lease (?:of|for) address: (\S+)/.exec(text)
    if (!legal && !admin) return null
    const m = LEGAL_TS.exec(text)
    let time: number | undefined
    let alt: number | undefined
    if (m) {
      const w = {year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6])}
      if (m[7] && /^(UTC|GMT|Z|UT)$/i.test(m[7])) time = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
      else {
        const r = ctx.time.wall(w)
        time = r.ms
        alt = r.alt
      }
    } else {
      const ts = syslogStamp(text, ctx)
      time = ts?.ms
      alt = ts?.alt
    }
    if (time === undefined || Number.isNaN(time)) {
      ctx.malformed(line, 'no readable timestamp')
      return null
    }
    const ip = clientIp(legal ? legal[1] : admin![2])
    if (!ip) {
      ctx.malformed(line, 'legal log line without a readable address')
      return null
    }
    const hw = /hardware address: (?:hwtype=\d+ )?([0-9a-fA-F:]+)/.exec(text)
    const mac = macOf(hw?.[1])
    const verb = legal ? legal[2]! : admin![1]!
    if (verb === 'released' || verb === 'deleted') {
      return leaseEvent({event: 'release', time, ip, mac, timeAlt: alt}, evidenceOf(ctx, line, verb === 'released' ? 'legal log: released' : 'legal log: lease deleted by administrator'))
    }
    const d = durationMs(text)
    if (d === undefined && legal) {
      ctx.malformed(line, 'legal log line without a readable lease duration')
      return null
    }
    return leaseEvent(
      {event: verb === 'renewed' ? 'renew' : 'assign', time, ip, mac, leaseEnd: d === undefined ? null : d === null ? Infinity : time + d, timeAlt: alt},
      evidenceOf(ctx, line, `legal log: ${verb}`),
    )
  },
}
