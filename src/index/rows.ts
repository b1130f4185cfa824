/**
 * Rows of the index as tab-separated text (loaded by DuckDB's read_csv and COPY). `\N` is NULL.
 *
 * A NAT record is split in two. Its lookup keys (time, kind, public address and port, port-block end, inside
 * port, packet source and destination) are typed columns of table `nat`, with the record's ordinal in its file
 * (`seq`). Everything else — the other fields and the evidence line — is its payload: a small array kept with
 * the payloads of the file's neighbouring records in one compressed block (NatRows: NAT_BLOCK records a block,
 * on the row of the block's first record; brotli quality 0 over JSON: quality 1 took a third more time for a
 * sixth less space).
 * DuckDB loads numbers and repeated strings cheaply, but each distinct string (a log line, an inside address)
 * cost it several µs; a compressed block costs about 2.5 µs a record to write and a fraction of a millisecond
 * to read back for a lookup.
 *
 * The record is rebuilt exactly (`natFromColumns`) — the same fields, absent optional fields still absent —
 * so an indexed attribution feeds the engine what a scan would have parsed.
 *
 * Lease records (a small share of the rows) are stored whole as JSON.
 */
import {brotliCompressSync, brotliDecompressSync, constants} from 'node:zlib'
import type {LeaseEvent, NatEvent} from '../model.js'

const n = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : String(v))

const SPECIAL = /[\t\n\r\\]/
const SPECIAL_G = /[\t\n\r\\]/g
const ESC: Record<string, string> = {'\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\'}

/** Text as one TSV field: tab, newline, carriage return and backslash escaped with a backslash. */
export function escapeField(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_G, (c) => ESC[c]!) : s
}

const UNESC: Record<string, string> = {t: '\t', n: '\n', r: '\r', '\\': '\\'}

/** A field written by escapeField, read back (COPY with ESCAPE '' keeps the backslashes as they are). */
export function unescapeField(s: string): string {
  return s.indexOf('\\') < 0 ? s : s.replace(/\\([tnr\\])/g, (_, c: string) => UNESC[c]!)
}

/** A string column: NULL, or the text escaped (addresses and names come from log text). */
const str = (v: string | null | undefined) => (v === null || v === undefined ? '\\N' : escapeField(v))

// optional fields of NatEvent / Evidence: bit set = the field is there (its value may still be null); a field
// set to undefined comes back absent
const OPT = ['srcIp', 'srcPort', 'dstIp', 'dstPort', 'dir', 'iface', 'replied', 'timeAlt', 'phase'] as const
const ROLE_BIT = 1 << OPT.length

/** records per compressed payload block */
export const NAT_BLOCK = 512

/** A record's payload: the fields that are not columns of `nat`, and the evidence line. */
export type NatPayload = [mask: number, ...unknown[]]

export function natPayload(e: NatEvent): NatPayload {
  let mask = 0
  for (let i = 0; i < OPT.length; i++) if (e[OPT[i]!] !== undefined) mask |= 1 << i
  const ev = e.evidence
  if (ev.role !== undefined) mask |= ROLE_BIT
  return [mask, e.end, e.protocol, e.insideIp, e.destIp, e.destPort, e.subscriber, e.srcPort, e.dstPort, e.dir, e.iface, e.replied, e.timeAlt, e.phase, ev.role, ev.text]
}

/** The key columns of table `nat`, in order (see schema.ts; the last column, `payload`, is read apart). */
export const NAT_COLUMNS = 'file_id, seq, line, time, kind, outside_ip, outside_port, outside_port_end, inside_port, src_ip, dst_ip'

/** The key columns of a record's row in table `nat` (evidence.file is left out: the files table names the file, also after a rotation renamed it). */
function natKeys(fileId: number, seq: number, e: NatEvent): string {
  return `${fileId}\t${seq}\t${e.evidence.line}\t${e.time}\t${e.kind}\t${str(e.outsideIp)}\t${n(e.outsidePort)}\t${n(e.outsidePortEnd)}\t${n(e.insidePort)}\t${str(e.srcIp)}\t${str(e.dstIp)}`
}

/** Payloads compressed into one block, as base64 (the TSV field; the table holds the bytes). */
function natBlock(payloads: NatPayload[]): string {
  const json = Buffer.from(JSON.stringify(payloads))
  return brotliCompressSync(json, {params: {[constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: json.length}}).toString('base64')
}

/**
 * The rows of table `nat` for one file's records, a block at a time: the row of a block's first record (seq a
 * multiple of NAT_BLOCK) carries the payloads of the block's records, the others a NULL payload. (A table of
 * blocks apart from `nat` stayed one partly filled row group that DuckDB wrote again, with every block, at each
 * load batch's checkpoint; as a sparse column of `nat` each block is written once.)
 */
export class NatRows {
  private keys: string[] = []
  private payloads: NatPayload[] = []
  private seq = 0
  constructor(
    private readonly fileId: number,
    private readonly out: (text: string) => void,
  ) {}

  add(e: NatEvent): void {
    this.keys.push(natKeys(this.fileId, this.seq++, e))
    this.payloads.push(natPayload(e))
    if (this.keys.length === NAT_BLOCK) this.flush()
  }

  /** Writes the rows of the block so far (call once more after the file's last record). */
  flush(): void {
    if (this.keys.length === 0) return
    let text = `${this.keys[0]}\t${natBlock(this.payloads)}\n`
    for (let i = 1; i < this.keys.length; i++) text += `${this.keys[i]}\t\\N\n`
    this.out(text)
    this.keys = []
    this.payloads = []
  }
}

/** read_csv options for the TSV of NatRows: every column typed, the payload as base64 text. */
export const NAT_CSV = `delim = '\t', quote = '', escape = '', header = false, auto_detect = false, nullstr = '\\N', columns = {'file_id': 'INTEGER', 'seq': 'INTEGER', 'line': 'INTEGER', 'time': 'DOUBLE', 'kind': 'VARCHAR', 'outside_ip': 'VARCHAR', 'outside_port': 'INTEGER', 'outside_port_end': 'INTEGER', 'inside_port': 'INTEGER', 'src_ip': 'VARCHAR', 'dst_ip': 'VARCHAR', 'payload': 'VARCHAR'}`

/** The payloads of a block as stored (nat.payload). */
export function readNatBlock(data: Uint8Array): NatPayload[] {
  const block = JSON.parse(brotliDecompressSync(data).toString('utf8')) as unknown
  if (!Array.isArray(block) || !block.every((p) => Array.isArray(p) && typeof p[0] === 'number')) throw new Error('not a block of payloads')
  return block as NatPayload[]
}

/** One row of table `nat` as read back (NAT_COLUMNS after file_id). */
export interface NatColumns {
  seq: number
  line: number
  time: number
  kind: string
  outside_ip: string | null
  outside_port: number | null
  outside_port_end: number | null
  inside_port: number | null
  src_ip: string | null
  dst_ip: string | null
}

/** The NAT record a row and its payload were written from (evidence.file is the given file). */
export function natFromColumns(c: NatColumns, r: NatPayload, file: string): NatEvent {
  const mask = r[0]
  const e: Record<string, unknown> = {
    kind: c.kind,
    time: c.time,
    end: r[1],
    protocol: r[2],
    insideIp: r[3],
    insidePort: c.inside_port,
    outsideIp: c.outside_ip === null ? null : unescapeField(c.outside_ip),
    outsidePort: c.outside_port,
    outsidePortEnd: c.outside_port_end,
    destIp: r[4],
    destPort: r[5],
    subscriber: r[6],
  }
  const opt = [c.src_ip === null ? null : unescapeField(c.src_ip), r[7], c.dst_ip === null ? null : unescapeField(c.dst_ip), r[8], r[9], r[10], r[11], r[12], r[13]]
  for (let i = 0; i < OPT.length; i++) if (mask & (1 << i)) e[OPT[i]!] = opt[i]
  const evidence: NatEvent['evidence'] = {file, line: c.line, text: r[15] as string}
  if (mask & ROLE_BIT) evidence.role = r[14] as string
  e.evidence = evidence
  return e as unknown as NatEvent
}

// (JSON text holds no raw tab, newline or carriage return: it is one TSV field as it is)
export function leaseRow(fileId: number, e: LeaseEvent): string {
  e.evidence.file = ''
  return `${fileId}\t${e.evidence.line}\t${Math.round(e.time)}\t${n(e.ip)}\t${JSON.stringify(e)}\n`
}

export const COPY_OPTIONS = `(DELIMITER '\t', QUOTE '', ESCAPE '', HEADER false, NULL '\\N', AUTO_DETECT false)`
