/**
 * Shadowserver CSV reports (attachments .csv or .csv.zip; also AbuseHub's embedded copies).
 * One incident per row. `timestamp` carries no zone: Shadowserver timestamps are UTC (format convention).
 *
 * Port semantics by report family (from the report name in the file name / subject):
 *   scan_*, open_*, accessible_*, vulnerable_*, compromised_website: "port" = a service port OPEN on our IP → 'listening'
 *   event4_*, *_drone, sinkhole, honeypot, darknet: "src_port" (or old drone "port") = our host's source port → 'source'
 *   anything else with only "port"                                                   → role unknown (null)
 */
import {parse as parseCsv} from 'csv-parse/sync'
import {unzipSync} from 'fflate'
import {canonicalIp} from '../../io/net.js'
import {domainOf, transportProtocol} from '../common.js'
import {decodeText} from '../message.js'
import type {FormatContext, ParseResult, RawIncident, ReportFormat, ReportMessage, ZoneConvention} from '../types.js'

export const SHADOWSERVER_UTC: ZoneConvention = {zone: 'UTC', how: 'format', why: 'Shadowserver report timestamps are UTC'}

/** Uncompressed size limit per zipped CSV (a report, not a zip bomb). */
const MAX_UNZIPPED = 256 * 1024 * 1024

interface CsvFile {
  name: string
  text: string
}

function isZip(buf: Buffer): boolean {
  return buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04
}

/** CSV texts of the message: .csv parts and the .csv members of .zip parts; corrupt zips are reported. */
export function csvFiles(msg: ReportMessage, warn?: (t: string) => void): CsvFile[] {
  const out: CsvFile[] = []
  for (const p of msg.parts) {
    const name = p.filename ?? p.contentType
    if (isZip(p.content) || /\.zip$/i.test(p.filename ?? '') || /zip/i.test(p.contentType)) {
      try {
        const files = unzipSync(new Uint8Array(p.content), {filter: (f) => /\.csv$/i.test(f.name) && f.originalSize <= MAX_UNZIPPED})
        for (const [n, data] of Object.entries(files)) out.push({name: n, text: decodeText(Buffer.from(data))})
      } catch (err) {
        warn?.(`attachment ${name}: corrupt zip (${(err as Error).message})`)
      }
      continue
    }
    if (p.text !== null && (/csv/i.test(p.contentType) || /\.csv$/i.test(p.filename ?? ''))) out.push({name, text: p.text})
  }
  if (!msg.isEmail && /^\s*"?timestamp"?\s*,/i.test(msg.text)) out.push({name: msg.file, text: msg.text})
  return out
}

function header(text: string): string[] {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  return first.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase())
}

function isShadowserverCsv(text: string): boolean {
  const h = header(text)
  return h[0] === 'timestamp' && (h.includes('ip') || h.includes('src_ip'))
}

function port(v: string | undefined): number | null {
  if (!v || !/^\d{1,5}$/.test(v.trim())) return null
  const n = Number(v)
  return n <= 65535 ? n : null
}

function family(name: string, subject: string | null): 'scan' | 'source' | null {
  const s = `${name} ${subject ?? ''}`.toLowerCase()
  // services found on our IP: the port is one our host listens on
  if (/scan[0-9]*_|-scan|open_|accessible_|vulnerable_|compromised_website|_website|ssl_|blocklist_/.test(s)) return 'scan'
  // connections our host made (to sinkholes, honeypots, darknets): the port is its source port
  if (/event4_|event6_|drone|sinkhole|botnet|honeypot|darknet|ddos/.test(s)) return 'source'
  return null
}

export const shadowserver: ReportFormat = {
  name: 'shadowserver-csv',
  description: 'Shadowserver CSV reports (.csv / .csv.zip attachments; scan_* port = listening, event4_* src_port = source; UTC)',
  detect(msg) {
    const files = csvFiles(msg)
    if (files.some((f) => isShadowserverCsv(f.text))) return 0.95
    const d = domainOf(msg.fromAddress)
    const zipped = msg.parts.some((p) => /\.csv\.zip$/i.test(p.filename ?? ''))
    return (d && /shadowserver\.org$/.test(d) && files.length > 0) || zipped ? 0.6 : 0
  },
  parse(msg, ctx: FormatContext): ParseResult {
    const incidents: RawIncident[] = []
    for (const f of csvFiles(msg, ctx.warn)) {
      if (!isShadowserverCsv(f.text)) continue
      let rows: Array<Record<string, string>>
      let skipped = 0
      try {
        rows = parseCsv(f.text, {
          columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
          skip_empty_lines: true,
          relax_column_count: true,
          relax_quotes: true,
          bom: true,
          skip_records_with_error: true,
          on_skip: () => {
            skipped++
            return undefined
          },
        } as never) as Array<Record<string, string>>
      } catch (err) {
        ctx.warn(`${f.name}: unreadable CSV (${(err as Error).message})`)
        continue
      }
      if (skipped) ctx.warn(`${f.name}: ${skipped} malformed CSV row(s) skipped`)
      const fam = family(f.name, msg.subject)
      let roleWarned = false
      rows.forEach((row, k) => {
        const ipText = row.src_ip || row.ip
        const ip = ipText ? canonicalIp(ipText) : null
        const t = row.timestamp ? ctx.parseTime(row.timestamp, SHADOWSERVER_UTC, true) : undefined
        if (!ip || !t) {
          ctx.warn(`${f.name} row ${k + 2}: ${!ip ? 'no IP' : `unreadable timestamp "${row.timestamp}"`}, skipped`)
          return
        }
        let publicPort: number | null = null
        let role: RawIncident['portRole'] = null
        const sp = port(row.src_port)
        const p = port(row.port)
        if (sp !== null) {
          publicPort = sp
          role = 'source'
        } else if (p !== null) {
          publicPort = p
          role = fam === 'scan' ? 'listening' : fam === 'source' ? 'source' : null
          if (role === null && !roleWarned) {
            roleWarned = true
            ctx.warn(`${f.name}: what "port" means in this Shadowserver report is not known: not used as a source port`)
          }
        }
        const dst = row.dst_ip ? canonicalIp(row.dst_ip) : null
        incidents.push({
          time: t.ms,
          zone: t.zone,
          publicIp: ip,
          publicPort,
          portRole: role,
          destIp: dst,
          destPort: port(row.dst_port),
          protocol: transportProtocol(row.protocol) ?? transportProtocol(row.transport) ?? transportProtocol(row.type),
          raw: `${f.name} row ${k + 2}: ${Object.entries(row).filter(([, v]) => v !== '').slice(0, 12).map(([c, v]) => `${c}=${v}`).join(' ')}`,
          rawLine: k + 2,
        })
      })
    }
    return {incidents, collapse: false}
  },
}
