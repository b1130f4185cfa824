/**
 * MikroTik RouterOS DHCP server log (topics dhcp,info), remote syslog or `/log print`:
 *   Jun 18 15:40:12 192.168.88.1 dhcp,info defconf assigned 192.168.88.37 for B0:E4:5C:27:EF:F2 Samsung   (v7)
 *   jun/18 15:40:12 dhcp,info dhcp1 assigned 192.168.88.37 to B0:E4:5C:27:EF:F2 Samsung                     (v6)
 *   2024-06-18 15:40:12 dhcp,info dhcp1 deassigned 192.168.88.37 from B0:E4:5C:27:EF:F2
 *   15:40:12 dhcp,info defconf assigned 192.168.88.37 for B0:E4:…     (/log print: today's lines have no date)
 * `assigned` → assign (no lease time in the line); `deassigned` → release (RouterOS logs it on release AND
 * on expiry; either way the holding ends there). Router local time (--dhcp-tz / system zone).
 * A time-only line takes the date of the file's modification time (the day it was exported).
 */
import type {LeaseFormat} from '../registry.js'
import {cleanHostname, clientIp, evidenceOf, leaseEvent, macOf, syslogStamp} from '../common.js'
import {shareMatching} from '../../io/format.js'
import {DateTime} from 'luxon'
import {monthNumber, toZone} from '../../io/time.js'

const MSG = /\b(assigned|deassigned) (\S+) (?:for|to|from) ([0-9A-Fa-f:.-]{12,17})(?: (.+?))?\s*$/

export const mikrotikDhcp: LeaseFormat = {
  name: 'mikrotik-dhcp',
  description: 'MikroTik RouterOS DHCP server log (dhcp,info … assigned IP for|to MAC host / deassigned)',
  prefilter: true,
  detect(sample) {
    const share = shareMatching(sample, (l) => l.includes('dhcp') && / (de)?assigned /.test(l))
    return share > 0 ? 0.55 + 0.4 * share : 0
  },
  parse(line, ctx) {
    const text = line.text
    const a = text.indexOf('assigned ')
    if (a < 0 || !text.includes('dhcp')) return null
    const m = MSG.exec(text)
    if (!m) return null
    const ip = clientIp(m[2])
    const mac = macOf(m[3])
    let time: number | undefined
    let alt: number | undefined
    const ts = syslogStamp(text, ctx)
    if (ts) {
      time = ts.ms
      alt = ts.alt
    } else {
      // RouterOS console forms: "jun/18 15:40:12", "jun/18/2023 15:40:12", "15:40:12"
      const r = /^(?:([a-z]{3})\/(\d{1,2})(?:\/(\d{4}))? )?(\d{1,2}):(\d{2}):(\d{2}) /i.exec(text)
      if (r) {
        const mo = r[1] ? monthNumber(r[1]) : undefined
        const hms = {hour: Number(r[4]), minute: Number(r[5]), second: Number(r[6])}
        let res: {ms: number; alt?: number} | undefined
        if (r[1] && mo && r[3]) res = ctx.time.wall({year: Number(r[3]), month: mo, day: Number(r[2]), ...hms})
        else if (r[1] && mo) res = ctx.time.syslog(r[1], Number(r[2]), hms.hour, hms.minute, hms.second)
        else if (!r[1]) {
          const day = DateTime.fromMillis(ctx.file.mtimeMs, {zone: toZone(ctx.time.decision.zone)})
          res = ctx.time.wall({year: day.year, month: day.month, day: day.day, ...hms})
        }
        time = res?.ms
        alt = res?.alt
      }
    }
    if (time === undefined || Number.isNaN(time)) {
      ctx.malformed(line, 'no readable timestamp')
      return null
    }
    if (!ip || !mac) {
      ctx.malformed(line, `RouterOS DHCP line with an unreadable ${ip ? 'MAC' : 'IP'}`)
      return null
    }
    const deassign = m[1] === 'deassigned'
    return leaseEvent(
      {event: deassign ? 'release' : 'assign', time, ip, mac, hostname: cleanHostname(m[4]), timeAlt: alt},
      evidenceOf(ctx, line, deassign ? 'deassigned (release or expiry)' : 'assigned'),
    )
  },
}
