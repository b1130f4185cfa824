/**
 * Registro.br / CERT.br / NIC.br notifications (pt-BR). Subject tag `[NicBr-20130619-133 ]`, log lines
 *   "2013-06-18 15:53:34" 200.1.2.3/52218->200.160.3.103/6881 6(0)
 * = our IP / source port -> destination / port, IP protocol number (6 tcp, 17 udp, 1 icmp), in parentheses
 * a count/ICMP type. The reported IP and the destination are often masked (x.x.x.x, xxx.xxx.3.103).
 * Times state no zone: Brazilian senders mean Brasília time (America/Sao_Paulo, with its historic DST).
 */
import {findAddresses} from '../addr.js'
import {domainOf, ticketFromSubject, transportProtocol} from '../common.js'
import {allText} from '../message.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage, ZoneConvention} from '../types.js'

export const BRASILIA: ZoneConvention = {
  zone: 'America/Sao_Paulo',
  how: 'sender',
  why: 'Registro.br / CERT.br / NIC.br write their times in Brasília time (America/Sao_Paulo, historic DST applied)',
}

const STAMP = String.raw`"?(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|BRT|BRST))?)"?`
const ADDR = String.raw`([0-9A-Fa-fxX*.:\[\]]+?)(?:[/:#](\d{1,5}))?`
/** one log line: stamp, src[/port] -> dst[/port], optional "6(0)" */
export const LINE = new RegExp(String.raw`^\s*(?:>\s*)*${STAMP}\s+${ADDR}\s*-+>\s*${ADDR}(?:\s+(\d{1,3}|tcp|udp|icmp)(?:\s*\((\d+)\))?)?\s*$`, 'i')

const SENDERS = /(^|\.)(cert\.br|nic\.br|registro\.br)$/i

function isSender(msg: ReportMessage): boolean {
  const d = domainOf(msg.fromAddress)
  return (!!d && SENDERS.test(d)) || /\[\s*NicBr-/i.test(msg.subject ?? '')
}

function unmaskFromText(pattern: string, text: string): string | null {
  const p = pattern.split('.')
  if (p.length !== 4) return null
  const found = new Set<string>()
  for (const a of findAddresses(text)) {
    if (!a.ip || a.ip.includes(':')) continue
    const o = a.ip.split('.')
    if (p.every((x, k) => !/^\d+$/.test(x) || Number(x) === Number(o[k]))) found.add(a.ip)
  }
  return found.size === 1 ? [...found][0]! : null
}

export const registroBr: ReportFormat = {
  name: 'registro-br',
  description: 'Registro.br / CERT.br / NIC.br notifications ("YYYY-MM-DD HH:MM:SS" ip/port->ip/port proto(n))',
  detect(msg) {
    const lines = msg.text.split(/\r?\n/).map((l) => LINE.exec(l)).filter((m) => m !== null)
    if (isSender(msg)) return lines.length > 0 ? 0.95 : 0.7
    // from anyone else only the distinctive "6(0)" protocol(count) lines; plain flows are generic-text's
    return lines.some((m) => m[7] !== undefined && /^\d+$/.test(m[6] ?? '')) ? 0.75 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    const text = allText(msg)
    const lines = msg.text.split(/\r?\n/)
    // the Brasília convention is the SENDER's: lines in this layout from someone else get the usual fallback
    const conv = isSender(msg) ? BRASILIA : undefined
    let bad = 0
    lines.forEach((line, k) => {
      const m = LINE.exec(line)
      if (!m) return
      const t = ctx.parseTime(m[1]!, conv)
      const src = findAddresses(m[2]!)[0]
      const dst = findAddresses(m[4]!)[0]
      if (!t || !src || src.length !== m[2]!.length) {
        bad++
        return
      }
      let destIp: string | null = dst && !dst.masked ? dst.ip : null
      if (dst?.masked) {
        destIp = unmaskFromText(dst.text, text)
        if (destIp) ctx.warn(`the masked destination ${dst.text} read as ${destIp}, the only matching address in the report`)
      }
      const srcPort = m[3] !== undefined ? Number(m[3]) : null
      const dstPort = m[5] !== undefined ? Number(m[5]) : null
      incidents.push({
        time: t.ms,
        zone: t.zone,
        publicIp: src.masked ? null : src.ip,
        publicIpMasked: src.masked,
        publicIpPattern: src.masked ? src.text : undefined,
        publicPort: srcPort !== null && srcPort <= 65535 ? srcPort : null,
        portRole: srcPort !== null ? 'source' : null,
        destIp,
        destMasked: dst?.masked && !destIp ? dst.text : undefined,
        destPort: dstPort !== null && dstPort <= 65535 ? dstPort : null,
        protocol: transportProtocol(m[6]),
        raw: line.trim(),
        rawLine: k + 1,
      })
    })
    if (bad > 0) ctx.warn(`${bad} log line(s) could not be read`)
    return {incidents, ticket: ticketFromSubject(msg.subject)}
  },
}
