/**
 * ACNS (Automated Copyright Notice System) / DMCA notices: an <Infringement> XML document, inline in the
 * body — often inside a PGP clear-signed text whose lines are dash-escaped ("- ---Start ACNS XML",
 * "- - ---Start ACNS XML") — and/or attached as .xml. The same notice inline and attached counts once.
 *
 * <Source><Port> is the port the monitoring company connected to on our host: for P2P (BitTorrent …) the
 * client's LISTENING port (a port forward / UPnP mapping on NAT), not an ephemeral source port
 * → portRole 'listening'. <Case><ID> is the ticket. <Type>/<SubType Protocol> is an application protocol,
 * not a transport: protocol stays null.
 */
import {XMLParser} from 'fast-xml-parser'
import {canonicalIp} from '../../io/net.js'
import {ticketFromSubject} from '../common.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage} from '../types.js'

/** Removes OpenPGP dash-escaping ("- " before lines that start with "-"), nested any depth. */
export function undashEscape(text: string): string {
  return text.replace(/^(?:- )+(?=-)/gm, '')
}

export function acnsDocuments(msg: ReportMessage): string[] {
  const texts = [msg.text, ...msg.forwarded.map((f) => f.text), ...msg.parts.map((p) => p.text ?? '')]
  const out: string[] = []
  for (const t of texts) {
    if (!t || !/<Infringement[\s>]/i.test(t)) continue
    const clean = undashEscape(t)
    for (const m of clean.matchAll(/<Infringement[\s>][\s\S]*?<\/Infringement\s*>/gi)) out.push(m[0])
  }
  return out
}

const parser = new XMLParser({removeNSPrefix: true, ignoreAttributes: false, parseTagValue: false, trimValues: true, processEntities: true})

function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null
  if (typeof v === 'number') return String(v)
  if (v && typeof v === 'object' && '#text' in (v as object)) return text((v as Record<string, unknown>)['#text'])
  return null
}

export const acns: ReportFormat = {
  name: 'acns',
  description: 'ACNS / DMCA <Infringement> XML (inline, PGP dash-escaped, or attached); <Port> = listening port',
  detect(msg) {
    return acnsDocuments(msg).length > 0 ? 0.95 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    const seen = new Set<string>()
    let ticket: string | null = null
    let reporter: string | null = null
    for (const xml of acnsDocuments(msg)) {
      let doc: Record<string, any>
      try {
        doc = parser.parse(xml) as Record<string, any>
      } catch (err) {
        ctx.warn(`unreadable ACNS XML (${(err as Error).message})`)
        continue
      }
      const inf = doc.Infringement ?? {}
      const sources = Array.isArray(inf.Source) ? inf.Source : inf.Source ? [inf.Source] : []
      const caseId = text(inf.Case?.ID)
      ticket = ticket ?? caseId
      reporter = reporter ?? text(inf.Complainant?.Entity)
      for (const src of sources) {
        const ipText = text(src.IP_Address)
        const ip = ipText ? canonicalIp(ipText) : null
        const ts = text(src.TimeStamp)
        const t = ts ? ctx.parseTime(ts) : undefined
        if (!ip || !t) {
          ctx.warn(`ACNS <Source> without ${!ip ? 'an IP address' : 'a readable TimeStamp'} skipped`)
          continue
        }
        const p = text(src.Port)
        const port = p && /^\d{1,5}$/.test(p) && Number(p) <= 65535 ? Number(p) : null
        const key = `${caseId}|${ip}|${port}|${t.ms}`
        if (seen.has(key)) continue
        seen.add(key)
        const type = text(src.Type)
        incidents.push({
          time: t.ms,
          zone: t.zone,
          publicIp: ip,
          publicPort: port,
          portRole: port !== null ? 'listening' : null,
          destIp: null,
          destPort: null,
          protocol: null,
          raw: `ACNS Case ${caseId ?? '?'}: ${ts} ${ipText}${p ? ` port ${p}` : ''}${type ? ` (${type})` : ''}`,
        })
      }
    }
    return {incidents, ticket: ticket ?? ticketFromSubject(msg.subject), collapse: false}
  },
}
