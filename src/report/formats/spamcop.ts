/**
 * SpamCop reports: subject "[SpamCop (192.0.2.1) id:1234567890]…" (often RFC 2047-encoded after the tag),
 * body "Email from 192.0.2.1 / Thu, 19 Jun 2003 17:34:13 -0400" (the zone comment may be truncated:
 * "(ES"; the numeric offset decides), then the offending message. Ticket = the id. No port.
 */
import {canonicalIp} from '../../io/net.js'
import {domainOf} from '../common.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat} from '../types.js'

const TAG = /\[SpamCop\s*\(([^)]*)\)\s*id:\s*(\d+)\s*\]/i
const EMAIL_FROM = /^\s*Email from\s+\[?([0-9a-fA-F.:]+)\]?\s*\/\s*(.+)$/im

export const spamcop: ReportFormat = {
  name: 'spamcop',
  description: 'SpamCop spam reports ([SpamCop (ip) id:N], "Email from IP / date")',
  detect(msg) {
    if (TAG.test(msg.subject ?? '')) return 0.9
    const d = domainOf(msg.fromAddress)
    return d && /(^|\.)spamcop\.net$/.test(d) && EMAIL_FROM.test(msg.text) ? 0.85 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const tag = TAG.exec(msg.subject ?? '')
    const line = EMAIL_FROM.exec(msg.text)
    const ip = (line ? canonicalIp(line[1]!) : null) ?? (tag ? canonicalIp(tag[1]!) : null)
    const incidents: RawIncident[] = []
    if (ip) {
      let t = line ? ctx.parseTime(line[2]!) : undefined
      if (!t && msg.date !== null) {
        ctx.warn("no \"Email from\" date: the report's Date: header taken as the incident time")
        t = {ms: msg.date, zone: {zone: 'UTC', how: 'stated'}}
      }
      if (t) {
        incidents.push({
          time: t.ms,
          zone: t.zone,
          publicIp: ip,
          publicPort: null,
          portRole: null,
          destIp: null,
          destPort: null,
          protocol: null,
          raw: line ? line[0].trim() : `[SpamCop (${tag?.[1]}) id:${tag?.[2]}]`,
        })
      }
    }
    return {incidents, ticket: tag ? tag[2]! : null, reporter: 'SpamCop'}
  },
}
