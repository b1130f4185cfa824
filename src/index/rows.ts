/**
 * Rows of the index as tab-separated text (loaded by DuckDB's COPY). `\N` is NULL.
 *
 * A NAT record is stored as typed columns, not as one JSON document: the lookup keys (time, kind, public
 * address and port, port-block end, inside port, packet source and destination) as their own columns, the
 * other fields as one small JSON array (`rest`), and the evidence line as text with tab, newline, carriage
 * return and backslash escaped. The record is rebuilt exactly (`natFromColumns`) — the same fields, absent
 * optional fields still absent — so an indexed attribution feeds the engine what a scan would have parsed.
 * (The whole record as JSON, evidence text included, cost three times more to write and to load.)
 *
 * Lease records (a small share of the rows) are stored whole as JSON.
 */
import type {LeaseEvent, NatEvent} from '../model.js'

const n = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : String(v))

const SPECIAL = /[\t\n\r\\]/
const SPECIAL_G = /[\t\n\r\\]/g
const ESC: Record<string, string> = {'\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\'}
const UNESC: Record<string, string> = {t: '\t', n: '\n', r: '\r', '\\': '\\'}

/** Text as one TSV field: tab, newline, carriage return and backslash escaped with a backslash. */
export function escapeField(s: string): string {
  if (!SPECIAL.test(s)) return s
  // the common case (conntrack's tab after the stamp) without a callback per match
  if (s.indexOf('\\') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s.replaceAll('\t', '\\t')
  return s.replace(SPECIAL_G, (c) => ESC[c]!)
}

export function unescapeField(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([tnr\\])/g, (_, c: string) => UNESC[c]!)
}

// optional fields of NatEvent / Evidence: bit set = the field is there (its value may still be null); a field
// set to undefined comes back absent
const OPT = ['srcIp', 'srcPort', 'dstIp', 'dstPort', 'dir', 'iface', 'replied', 'timeAlt', 'phase'] as const
const ROLE_BIT = 1 << OPT.length

function rest(e: NatEvent): string {
  let mask = 0
  for (let i = 0; i < OPT.length; i++) if (e[OPT[i]!] !== undefined) mask |= 1 << i
  const ev = e.evidence
  if (ev.role !== undefined) mask |= ROLE_BIT
  return JSON.stringify([mask, e.end, e.protocol, e.insideIp, e.destIp, e.destPort, e.subscriber, e.srcPort, e.dstPort, e.dir, e.iface, e.replied, e.timeAlt, e.phase, ev.role])
}

/** The columns of table `nat`, in order (see schema.ts). */
export const NAT_COLUMNS = 'file_id, line, time, kind, outside_ip, outside_port, outside_port_end, inside_port, src_ip, dst_ip, rest, text'

// evidence.file is left out (the files table names the file, also after a rotation renamed it)
export function natRow(fileId: number, e: NatEvent): string {
  return `${fileId}\t${e.evidence.line}\t${e.time}\t${e.kind}\t${n(e.outsideIp)}\t${n(e.outsidePort)}\t${n(e.outsidePortEnd)}\t${n(e.insidePort)}\t${n(e.srcIp)}\t${n(e.dstIp)}\t${rest(e)}\t${escapeField(e.evidence.text)}\n`
}

/** One row of table `nat` as read back (NAT_COLUMNS after file_id). */
export interface NatColumns {
  line: number
  time: number
  kind: string
  outside_ip: string | null
  outside_port: number | null
  outside_port_end: number | null
  inside_port: number | null
  src_ip: string | null
  dst_ip: string | null
  rest: string
  text: string | null
}

/** The NAT record a row was written from (evidence.file is the given file). */
export function natFromColumns(c: NatColumns, file: string): NatEvent {
  const r = JSON.parse(c.rest) as [number, ...unknown[]]
  const mask = r[0]
  const e: Record<string, unknown> = {
    kind: c.kind,
    time: c.time,
    end: r[1],
    protocol: r[2],
    insideIp: r[3],
    insidePort: c.inside_port,
    outsideIp: c.outside_ip,
    outsidePort: c.outside_port,
    outsidePortEnd: c.outside_port_end,
    destIp: r[4],
    destPort: r[5],
    subscriber: r[6],
  }
  const opt = [c.src_ip, r[7], c.dst_ip, r[8], r[9], r[10], r[11], r[12], r[13]]
  for (let i = 0; i < OPT.length; i++) if (mask & (1 << i)) e[OPT[i]!] = opt[i]
  const evidence: NatEvent['evidence'] = {file, line: c.line, text: unescapeField(c.text ?? '')}
  if (mask & ROLE_BIT) evidence.role = r[14] as string
  e.evidence = evidence
  return e as unknown as NatEvent
}

export function leaseRow(fileId: number, e: LeaseEvent): string {
  e.evidence.file = ''
  return `${fileId}\t${e.evidence.line}\t${Math.round(e.time)}\t${n(e.ip)}\t${JSON.stringify(e)}\n`
}

export const COPY_OPTIONS = `(DELIMITER '\t', QUOTE '', ESCAPE '', HEADER false, NULL '\\N', AUTO_DETECT false)`
