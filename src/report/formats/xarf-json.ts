/**
 * XARF JSON: version 4 (xarf_version "4.x": source_identifier, source_port, destination_ip/_port,
 * protocol, timestamp, report_id) and the older abusix/Netcraft version 1–3 layout
 * ({"Version": "3", "ReporterInfo": …, "Report": {SourceIp, SourcePort, DestinationIp, DestinationPort,
 * Date, ReporterCaseID …}}). Read from a bare .json file or a JSON part of an e-mail (Netcraft sends
 * xarf.json inside a multipart/report with "Feedback-Type: xarf").
 * XARF's source_port / SourcePort is our host's source port → portRole 'source'.
 */
import {canonicalIp} from '../../io/net.js'
import {ticketFromSubject, transportProtocol} from '../common.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage} from '../types.js'

type Obj = Record<string, unknown>

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Case-insensitive key lookup ignoring '_' and '-'. */
function get(o: Obj | undefined, ...names: string[]): unknown {
  if (!o) return undefined
  const want = names.map((n) => n.toLowerCase().replace(/[_-]/g, ''))
  for (const [k, v] of Object.entries(o)) if (want.includes(k.toLowerCase().replace(/[_-]/g, ''))) return v
  return undefined
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null
  if (typeof v === 'number') return String(v)
  return null
}

function port(v: unknown): number | null {
  const s = str(v)
  if (!s || !/^\d{1,5}$/.test(s)) return null
  const n = Number(s)
  return n <= 65535 ? n : null
}

function isXarf(o: unknown): o is Obj {
  if (!isObj(o)) return false
  if (get(o, 'xarf_version') !== undefined && get(o, 'source_identifier') !== undefined) return true
  return isObj(get(o, 'Report')) && (get(get(o, 'Report') as Obj, 'SourceIp', 'Source') !== undefined || get(o, 'ReporterInfo') !== undefined)
}

/** JSON documents of the message: the file itself, JSON parts. */
export function jsonDocs(msg: ReportMessage): unknown[] {
  const out: unknown[] = []
  if (msg.json !== undefined) out.push(msg.json)
  for (const p of msg.parts) {
    if (!p.text) continue
    if (!/json/i.test(p.contentType) && !/\.json$/i.test(p.filename ?? '') && !/^\s*\{/.test(p.text)) continue
    try {
      out.push(JSON.parse(p.text))
    } catch {
      // not JSON
    }
  }
  return out
}

export const xarfJson: ReportFormat = {
  name: 'xarf-json',
  description: 'XARF 4 JSON (source_identifier, source_port …) and XARF 1–3 JSON (Report.SourceIp …, Netcraft xarf.json)',
  detect(msg) {
    return jsonDocs(msg).some(isXarf) ? 0.95 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    let ticket: string | null = null
    let reporter: string | null = null
    for (const doc of jsonDocs(msg).filter(isXarf)) {
      const v4 = get(doc, 'xarf_version') !== undefined
      const r: Obj = v4 ? doc : (get(doc, 'Report') as Obj)
      const ipText = str(v4 ? get(r, 'source_identifier') : get(r, 'SourceIp', 'Source'))
      const ip = ipText ? canonicalIp(ipText) : null
      if (!ip) {
        ctx.warn(`XARF source ${ipText ?? '(none)'} is not an IP address`)
        continue
      }
      const timeText = str(v4 ? get(r, 'timestamp') ?? get(r, 'first_seen') : get(r, 'Date') ?? get(r, 'FirstSeen'))
      const t = timeText ? ctx.parseTime(timeText) : undefined
      if (!t) {
        ctx.warn(`XARF report for ${ip} has no readable time (${timeText ?? 'none'})`)
        continue
      }
      const sp = port(get(r, 'source_port', 'SourcePort'))
      const dIpText = str(get(r, 'destination_ip', 'DestinationIp'))
      const dport = port(get(r, 'destination_port', 'DestinationPort'))
      incidents.push({
        time: t.ms,
        zone: t.zone,
        publicIp: ip,
        publicPort: sp,
        portRole: sp !== null ? 'source' : null,
        destIp: dIpText ? canonicalIp(dIpText) : null,
        destPort: dport,
        protocol: transportProtocol(str(get(r, 'protocol', 'Protocol', 'transport'))),
        raw: JSON.stringify({source: ipText, source_port: sp, time: timeText, destination: dIpText, destination_port: dport}),
      })
      const id = v4 ? str(get(doc, 'report_id')) : str(get(r, 'ReporterCaseID') ?? get(doc, 'ReporterCaseID'))
      ticket = ticket ?? id
      const rep = v4 ? get(doc, 'reporter') : get(doc, 'ReporterInfo')
      reporter = reporter ?? (isObj(rep) ? str(get(rep, 'org', 'ReporterOrg')) ?? str(get(rep, 'domain', 'ReporterOrgDomain')) : null)
    }
    return {incidents, ticket: ticket ?? ticketFromSubject(msg.subject), reporter: msg.isEmail ? undefined : reporter, collapse: false}
  },
}
