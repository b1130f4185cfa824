/**
 * X-ARF 0.1 / 0.2 (x-arf.org): a multipart/mixed e-mail (header "X-ARF: yes" / "X-XARF: PLAIN") whose
 * second part report.txt is flat YAML: Reported-From, Category, Report-Type, Version, Date, Source-Type,
 * Source, Port, Report-ID … Also the X-ARF-like YAML attachments of other senders (lower-case keys
 * "ip"/"first_seen"/"last_seen", quoted values, python tags; several report parts = several incidents).
 *
 * Port semantics: X-ARF "Port" is the ATTACKED port on the reporter's side (fail2ban / blocklist.de:
 * the service the attack hit) → portRole 'destination', never our source port. "Source-Port" when present
 * is our source port. "Download-Port" (malware download, Netcraft) is a port served by our host → 'listening'.
 * Ticket: the subject tag only (Report-IDs are per-report message ids, kept in the raw text).
 */
import {canonicalIp} from '../../io/net.js'
import {findAddresses} from '../addr.js'
import {keyValues, ticketFromSubject, transportProtocol} from '../common.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage} from '../types.js'

const SOURCE_KEYS = ['source', 'source-ip', 'ip', 'ip-address', 'src', 'offending ip', 'offending/source ip']
const TIME_KEYS = ['date', 'time', 'timestamp', 'last_seen', 'last-seen', 'first_seen', 'first-seen', 'arrival-date']

interface Doc {
  kv: Map<string, string>
  text: string
}

function isXarfDoc(kv: Map<string, string>): boolean {
  const hasSource = SOURCE_KEYS.some((k) => kv.has(k))
  const marks = ['reported-from', 'report-type', 'category', 'source-type', 'schema-url', 'report-id', 'version', 'first_seen', 'last_seen'].filter((k) => kv.has(k)).length
  return hasSource && marks >= 2
}

/** The YAML report documents of a message (parts first; the body when the message is just the YAML). */
export function xarfDocs(msg: ReportMessage): Doc[] {
  const docs: Doc[] = []
  for (const p of msg.parts) {
    if (!p.text || /json|xml|html/i.test(p.contentType)) continue
    const kv = keyValues(p.text)
    if (isXarfDoc(kv)) docs.push({kv, text: p.text})
  }
  if (docs.length === 0) {
    // a report.txt part without Content-Type / disposition ends up in the body text: split on "---"
    for (const chunk of msg.text.split(/^---\s*$/m)) {
      const kv = keyValues(chunk)
      if (isXarfDoc(kv)) docs.push({kv, text: chunk})
    }
  }
  return docs
}

function hasXarfHeader(msg: ReportMessage): boolean {
  return ['x-arf', 'x-xarf', 'open-arf'].some((h) => msg.headers.has(h))
}

/** The report is about something our host serves (a URL / content report), not an attack it made. */
function servesContent(kv: Map<string, string>): boolean {
  return /ur[il]/i.test(kv.get('source-type') ?? '') || /phish|malware-attack|malware-url|defacement|hosting|copyright|illegal|open|proxy|resolver|relay|vulnerab|c&c|cc-server|botnet-cc/i.test(kv.get('report-type') ?? '')
}

function port(v: string | undefined): number | null {
  if (!v || !/^\d{1,5}$/.test(v.trim())) return null
  const n = Number(v)
  return n <= 65535 ? n : null
}

export const xarf: ReportFormat = {
  name: 'xarf',
  description: 'X-ARF 0.1/0.2 YAML report parts (blocklist.de, fail2ban, clean-mx, Netcraft, cyscon, webiron); Port = attacked port',
  detect(msg) {
    const docs = xarfDocs(msg).length
    if (docs > 0) return hasXarfHeader(msg) ? 0.95 : 0.85
    return 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    let version: string | null = null
    for (const {kv} of xarfDocs(msg)) {
      version = version ?? kv.get('version') ?? null
      const sourceText = SOURCE_KEYS.map((k) => kv.get(k)).find((v) => v)
      let ip = sourceText ? canonicalIp(sourceText) : null
      if (!ip && sourceText) {
        // Source-Type: uri — the machine part names a URL; the IP may stand next to it in the prose
        const bodyIps = [...new Set(findAddresses(msg.text).map((a) => a.ip).filter((x): x is string => !!x))]
        const host = /^[a-z]+:\/\/\[?([^/\]:]+)/i.exec(sourceText)?.[1]
        ip = host ? canonicalIp(host) : null
        if (!ip && bodyIps.length === 1) {
          ip = bodyIps[0]!
          ctx.warn(`the X-ARF Source is not an IP (${sourceText}); ${ip}, the only address in the text, taken`)
        }
      }
      if (!ip) {
        ctx.warn(`X-ARF report without an IP source (${sourceText ?? 'none'}) skipped`)
        continue
      }
      const timeText = TIME_KEYS.map((k) => kv.get(k)).find((v) => v)
      const t = timeText ? ctx.parseTime(timeText) : undefined
      if (!t) {
        ctx.warn(`X-ARF report for ${ip} has no readable Date (${timeText ?? 'none'})`)
        continue
      }
      const sp = port(kv.get('source-port'))
      const attacked = port(kv.get('port') ?? kv.get('destination-port') ?? kv.get('dest-port'))
      const served = port(kv.get('download-port'))
      let publicPort: number | null = null
      let role: RawIncident['portRole'] = null
      let destPort: number | null = null
      if (sp !== null) {
        publicPort = sp
        role = 'source'
        destPort = attacked
      } else if (served !== null) {
        publicPort = served
        role = 'listening'
      } else if (attacked !== null && servesContent(kv)) {
        // the report is about content our host serves (phishing page, malware download): its server port
        publicPort = attacked
        role = 'listening'
      } else if (attacked !== null) {
        // the attacked service port on the victim: recorded as the incident's (destination) port
        publicPort = attacked
        role = 'destination'
        destPort = attacked
      }
      const dst = kv.get('destination') ?? kv.get('destination-ip') ?? kv.get('target')
      incidents.push({
        time: t.ms,
        zone: t.zone,
        publicIp: ip,
        publicPort,
        portRole: role,
        destIp: dst ? canonicalIp(dst) : null,
        destPort,
        protocol: transportProtocol(kv.get('protocol') ?? kv.get('transport')),
        raw: [`Source: ${sourceText}`, `Date: ${timeText}`, ...['port', 'source-port', 'download-port', 'report-id', 'report-type'].filter((k) => kv.has(k)).map((k) => `${k}: ${kv.get(k)}`)].join(' | '),
      })
    }
    return {incidents, ticket: ticketFromSubject(msg.subject), collapse: false}
  },
}
