/**
 * ARF (RFC 5965) feedback reports: multipart/report; report-type=feedback-report with a
 * message/feedback-report part (Feedback-Type, User-Agent, Version, Source-IP, Source-Port (RFC 6692),
 * Arrival-Date — or the historic Received-Date — with an offset or a zone abbreviation) and the original
 * message attached. Also Microsoft JMRP-style complaints ("complaint about message from IP", only the
 * original message attached).
 *
 * Without Source-IP the IP is read from the attached original message (X-Originating-IP, else the
 * connecting address of its topmost Received header) and flagged. Source-Port is our source port.
 * The report's own Date: is when the report was written, not the incident: it is the last fallback.
 */
import {canonicalIp} from '../../io/net.js'
import {findAddresses} from '../addr.js'
import {keyValues, ticketFromSubject} from '../common.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage} from '../types.js'

function feedbackParts(msg: ReportMessage): string[] {
  const out: string[] = []
  for (const p of msg.parts) {
    if (!p.text) continue
    if (/message\/feedback-report/i.test(p.contentType)) out.push(p.text)
    else if (/^\s*Feedback-Type\s*:/im.test(p.text) && /^\s*(User-Agent|Version)\s*:/im.test(p.text) && !/xarf/i.test(p.text)) out.push(p.text)
  }
  return out
}

const JMRP = /complaint about message from\s+\[?([0-9a-f.:]+)\]?/i

function originalIp(msg: ReportMessage): {ip: string; how: string} | null {
  for (const f of msg.forwarded) {
    const xo = f.headers.get('x-originating-ip')?.[0]
    const ip = xo ? findAddresses(xo).find((a) => a.ip)?.ip : undefined
    if (ip) return {ip, how: 'X-Originating-IP of the attached message'}
    const rcv = f.headers.get('received')?.[0]
    if (rcv) {
      const fromPart = rcv.split(/\bby\b/i)[0] ?? ''
      const ips = findAddresses(fromPart).filter((a) => a.ip && a.ip !== '127.0.0.1' && a.ip !== '::1')
      const last = ips[ips.length - 1]
      if (last?.ip) return {ip: last.ip, how: 'the topmost Received header of the attached message'}
    }
  }
  return null
}

function originalTime(msg: ReportMessage, ctx: FormatContext): {t: ReturnType<FormatContext['parseTime']>; how: string} | null {
  for (const m of [...msg.forwarded, msg]) {
    const oat = m.headers.get('x-originalarrivaltime')?.[0]
    if (oat) {
      const t = ctx.parseTime(oat)
      if (t) return {t, how: 'X-OriginalArrivalTime'}
    }
  }
  for (const f of msg.forwarded) {
    const rcv = f.headers.get('received')?.[0]
    const stamp = rcv?.split(';').pop()
    const t = stamp ? ctx.parseTime(stamp) : undefined
    if (t) return {t, how: 'the topmost Received header of the attached message'}
  }
  return null
}

export const arf: ReportFormat = {
  name: 'arf',
  description: 'ARF / RFC 5965 feedback reports (Source-IP, Source-Port, Arrival-Date/Received-Date) and JMRP complaints',
  detect(msg) {
    if (feedbackParts(msg).length > 0) return 0.9
    if (JMRP.test(msg.subject ?? '') && msg.forwarded.length > 0) return 0.8
    return 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    const parts = feedbackParts(msg)
    const docs = parts.length > 0 ? parts : ['']
    for (const text of docs) {
      const kv = keyValues(text)
      const notes: string[] = []
      let ip: string | null = null
      const srcText = kv.get('source-ip')
      if (srcText) ip = canonicalIp(srcText.replace(/^\[|\]$/g, ''))
      if (!ip) {
        const subj = JMRP.exec(msg.subject ?? '')
        const fromSubject = subj ? canonicalIp(subj[1]!) : null
        const orig = fromSubject ? {ip: fromSubject, how: 'the subject'} : originalIp(msg)
        if (orig) {
          ip = orig.ip
          if (parts.length > 0) ctx.warn(`the feedback report has no Source-IP: ${ip} read from ${orig.how}`)
        }
      }
      if (!ip) {
        ctx.warn('the feedback report names no source IP')
        continue
      }
      const dateText = kv.get('arrival-date') ?? kv.get('received-date')
      let t = dateText ? ctx.parseTime(dateText) : undefined
      if (!t) {
        const o = originalTime(msg, ctx)
        if (o?.t) {
          t = o.t
          notes.push(`time from ${o.how}`)
        }
      }
      if (!t && msg.date !== null) {
        t = {ms: msg.date, zone: {zone: 'UTC', how: 'stated'}}
        ctx.warn("no arrival date: the report's own Date: header taken as the incident time")
      }
      if (!t) {
        ctx.warn(`no time for ${ip}`)
        continue
      }
      const sp = kv.get('source-port')
      const port = sp && /^\d{1,5}$/.test(sp) && Number(sp) <= 65535 ? Number(sp) : null
      incidents.push({
        time: t.ms,
        zone: t.zone,
        publicIp: ip,
        publicPort: port,
        portRole: port !== null ? 'source' : null,
        destIp: null,
        destPort: null,
        protocol: port !== null ? 'tcp' : null,
        raw: [srcText ? `Source-IP: ${srcText}` : `IP: ${ip}`, port !== null ? `Source-Port: ${port}` : '', dateText ? `${kv.has('arrival-date') ? 'Arrival-Date' : 'Received-Date'}: ${dateText}` : notes.join(', ')]
          .filter(Boolean)
          .join(' | '),
      })
    }
    return {incidents, ticket: ticketFromSubject(msg.subject)}
  },
}
