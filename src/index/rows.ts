/**
 * Rows of the index: NAT rows as Parquet files (NatParquet, read by DuckDB's read_parquet), lease rows as
 * tab-separated text (COPY; `\N` is NULL).
 *
 * A NAT record is split in two. Its lookup keys (time, kind, public address and port, port-block end, inside
 * port, packet source and destination) are typed columns of table `nat`, with the record's ordinal in its file
 * (`seq`). Everything else — the other fields and the evidence line — is its payload, kept with the payloads of
 * the file's neighbouring records in one compressed block (NAT_BLOCK records a block, on the row of the block's
 * first record; PayloadBlock gives the layout).
 * DuckDB loads numbers and repeated strings cheaply, but each distinct string (a log line, an inside address)
 * cost it several µs; a compressed block costs about 2 µs a record to write (most of it brotli over the
 * evidence text) and a fraction of a millisecond to read back for a lookup.
 *
 * The record is rebuilt exactly (`natFromColumns`) — the same fields, absent optional fields still absent —
 * so an indexed attribution feeds the engine what a scan would have parsed.
 *
 * Lease records (a small share of the rows) are stored whole as JSON.
 */
import {endianness} from 'node:os'
import {brotliCompressSync, brotliDecompressSync, constants} from 'node:zlib'
import type {LeaseEvent, NatEvent, NatKind} from '../model.js'
import {keyToIpv4, quadKey} from '../io/net.js'
import {ParquetOut, type PqColumn, type PqValues} from './parquet.js'

const n = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : String(v))

// optional fields of NatEvent / Evidence: bit set = the field is there (its value may still be null); a field
// set to undefined comes back absent
const OPT = ['srcIp', 'srcPort', 'dstIp', 'dstPort', 'dir', 'iface', 'replied', 'timeAlt', 'phase'] as const
const ROLE_BIT = 1 << OPT.length

/** records per compressed payload block */
export const NAT_BLOCK = 512

/**
 * A record's payload as read back: [mask, end, protocol, insideIp, destIp, destPort, subscriber, srcPort,
 * dstPort, dir, iface, replied, timeAlt, phase, role, text] — the fields that are not columns of `nat` and the
 * evidence line.
 */
export type NatPayload = [mask: number, ...unknown[]]

/** the payload's values between the mask and the text */
const VALUES = 14

/**
 * `nat.kind`: a record's kind as its number in this list (a one-byte column: DuckDB loaded and compressed the
 * kind's text at about a quarter of a µs a row, a sixth of the whole load).
 */
export const NAT_KINDS: readonly NatKind[] = ['session-start', 'session-end', 'session', 'mapping', 'port-block', 'packet']
const KIND_CODE = new Map(NAT_KINDS.map((k, i) => [k, i]))

function kindCode(k: NatKind): number {
  const c = KIND_CODE.get(k)
  if (c === undefined) throw new Error(`a NAT record of an unknown kind ${JSON.stringify(k)}`)
  return c
}

/** An address for its columns: a canonical dotted quad's number (quadNumber), -1 for null, -2 for other text. */
function quadOf(v: string | null | undefined): number {
  if (v === null || v === undefined) return -1
  const q = quadNumber(v)
  return q >= 0 ? q : -2
}

/**
 * A canonical dotted quad — the form the parsers give an IPv4 address (quadKey) — as its unsigned 32-bit number;
 * -1 for any other text. (DuckDB loads a number column at a fraction of the cost of a text column of distinct
 * addresses: about 0.15 µs a record less an address.)
 */
export function quadNumber(s: string): number {
  const k = quadKey(s)
  return k !== 0 ? k >>> 0 : s === '0.0.0.0' ? 0 : -1
}

/** The dotted quad of a quadNumber. */
export function quadText(q: number): string {
  return keyToIpv4(q | 0)
}

/** An address from its two columns (ip): the quad's number, or the text. */
function ipOf(quad: number | null, text: string | null): string | null {
  return quad !== null ? quadText(quad) : text
}

// a value's tag in a block
const T_NULL = 0 // null or undefined
const T_NUM = 1 // a number: the block's next float64
const T_STR = 2 // a string: the block's next string
const T_TRUE = 3
const T_FALSE = 4
const T_JSON = 5 // anything else: the block's next string is its JSON text
const T_SAME = 6 // a string equal to this field's string in the record before
const T_REF = 7 // a string found in the record's evidence text: the block's next (start, length) pair

/** first byte of a block in this layout (schema 6's blocks had no text references; schema 5's were JSON text) */
const BLOCK_V7 = 2
const HEADER = 20
/** the largest start and length of a text reference (u16) */
const REF_MAX = 0xffff

/** Where a block's parts start, after the header and the masks (the same for writing and reading). */
function blockLayout(n: number, nNums: number, nRefs: number): {refsAt: number; tagsAt: number; numsAt: number; strsAt: number} {
  const refsAt = HEADER + n * 2
  const tagsAt = refsAt + nRefs * 4
  const numsAt = (tagsAt + n * VALUES + 7) & ~7
  return {refsAt, tagsAt, numsAt, strsAt: numsAt + nNums * 8}
}

/**
 * One block's payloads, gathered as the records come. The layout (before brotli, quality 0; little-endian):
 * version byte, flags (1: the texts are a JSON array), then n, numbers, string bytes, text references (u32
 * each); the records' masks (u16 each), the text references (start and length in the record's evidence text,
 * u16 each), value tags (VALUES bytes a record), zero padding to 8 bytes, the numbers (float64), the other
 * strings (a JSON array, in the order of their tags), then the evidence texts joined by newlines (or as a JSON
 * array when one holds a newline).
 * Written this way, not as JSON of each record's fields: a number costs a typed-array store, a string that
 * repeats the record before's (protocol, role, interface) a comparison, a string that is a piece of the line
 * (an address, a subscriber name) one indexOf and two u16, and the evidence texts are not scanned for escapes;
 * about a third of the time of JSON a record, and fewer bytes to compress.
 */
class PayloadBlock {
  private n = 0
  private masks = new Uint16Array(NAT_BLOCK)
  private tags = new Uint8Array(NAT_BLOCK * VALUES)
  private nums = new Float64Array(NAT_BLOCK * VALUES)
  private nNums = 0
  /** (start, length) in the record's text of each T_REF string */
  private refs = new Uint16Array(NAT_BLOCK * VALUES * 2)
  private nRefs = 0
  private strs: string[] = []
  /** each field's string in the record before (T_SAME) */
  private prev: unknown[] = new Array<unknown>(VALUES).fill(null)
  private texts: string[] = []
  private textNl = false

  private value(k: number, j: number, v: unknown, text: string): void {
    if (v === null || v === undefined) this.tags[k + j] = T_NULL
    else if (typeof v === 'number') {
      this.tags[k + j] = T_NUM
      this.nums[this.nNums++] = v
    } else if (typeof v === 'string') {
      if (v === this.prev[j]) this.tags[k + j] = T_SAME
      else {
        // most strings (addresses, names) are a piece of the line itself: where, not what
        const at = v.length > 0 && v.length <= REF_MAX ? text.indexOf(v) : -1
        if (at >= 0 && at <= REF_MAX) {
          this.tags[k + j] = T_REF
          this.refs[this.nRefs * 2] = at
          this.refs[this.nRefs * 2 + 1] = v.length
          this.nRefs++
        } else {
          this.tags[k + j] = T_STR
          this.strs.push(v)
        }
        this.prev[j] = v
      }
    } else if (v === true) this.tags[k + j] = T_TRUE
    else if (v === false) this.tags[k + j] = T_FALSE
    else {
      this.tags[k + j] = T_JSON
      this.strs.push(JSON.stringify(v) ?? 'null')
    }
  }

  add(e: NatEvent): void {
    const ev = e.evidence
    // the bits of OPT, one by one (a loop over the names cost a generic property read each)
    this.masks[this.n] =
      (e.srcIp === undefined ? 0 : 1) |
      (e.srcPort === undefined ? 0 : 2) |
      (e.dstIp === undefined ? 0 : 4) |
      (e.dstPort === undefined ? 0 : 8) |
      (e.dir === undefined ? 0 : 16) |
      (e.iface === undefined ? 0 : 32) |
      (e.replied === undefined ? 0 : 64) |
      (e.timeAlt === undefined ? 0 : 128) |
      (e.phase === undefined ? 0 : 256) |
      (ev.role === undefined ? 0 : ROLE_BIT)
    const k = this.n * VALUES
    const t = ev.text
    this.value(k, 0, e.end, t)
    this.value(k, 1, e.protocol, t)
    this.value(k, 2, e.insideIp, t)
    this.value(k, 3, e.destIp, t)
    this.value(k, 4, e.destPort, t)
    this.value(k, 5, e.subscriber, t)
    this.value(k, 6, e.srcPort, t)
    this.value(k, 7, e.dstPort, t)
    this.value(k, 8, e.dir, t)
    this.value(k, 9, e.iface, t)
    this.value(k, 10, e.replied, t)
    this.value(k, 11, e.timeAlt, t)
    this.value(k, 12, e.phase, t)
    this.value(k, 13, ev.role, t)
    if (!this.textNl && t.indexOf('\n') >= 0) this.textNl = true
    this.texts.push(t)
    this.n++
  }

  /** The block as stored (brotli); the block is empty again after. */
  take(): Buffer {
    const n = this.n
    const strs = Buffer.from(JSON.stringify(this.strs))
    const texts = Buffer.from(this.textNl ? JSON.stringify(this.texts) : this.texts.join('\n'))
    const {refsAt, tagsAt, numsAt, strsAt} = blockLayout(n, this.nNums, this.nRefs)
    const out = Buffer.alloc(strsAt + strs.length + texts.length)
    out[0] = BLOCK_V7
    out[1] = this.textNl ? 1 : 0
    out.writeUInt32LE(n, 4)
    out.writeUInt32LE(this.nNums, 8)
    out.writeUInt32LE(strs.length, 12)
    out.writeUInt32LE(this.nRefs, 16)
    copyLE(out, HEADER, new Uint8Array(this.masks.buffer, 0, n * 2), 2)
    copyLE(out, refsAt, new Uint8Array(this.refs.buffer, 0, this.nRefs * 4), 2)
    out.set(this.tags.subarray(0, n * VALUES), tagsAt)
    copyLE(out, numsAt, new Uint8Array(this.nums.buffer, 0, this.nNums * 8), 8)
    strs.copy(out, strsAt)
    texts.copy(out, strsAt + strs.length)
    this.n = this.nNums = this.nRefs = 0
    this.strs = []
    this.prev.fill(null)
    this.texts = []
    this.textNl = false
    return brotliCompressSync(out, {params: {[constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: out.length}})
  }
}

const BIG_ENDIAN = endianness() === 'BE'

/** Typed-array bytes copied into the block in little-endian order (swapped on a big-endian host). */
function copyLE(out: Buffer, at: number, bytes: Uint8Array, width: 2 | 8): void {
  out.set(bytes, at)
  if (!BIG_ENDIAN || bytes.length === 0) return
  const part = out.subarray(at, at + bytes.length)
  if (width === 2) part.swap16()
  else part.swap64()
}

/** The payloads of a block as stored (nat.payload); throws on a block that is not whole. */
export function readNatBlock(data: Uint8Array): NatPayload[] {
  const b = brotliDecompressSync(data)
  if (b[0] !== BLOCK_V7 || b.length < HEADER) throw new Error('not a block of payloads')
  const n = b.readUInt32LE(4)
  const nNums = b.readUInt32LE(8)
  const strsLen = b.readUInt32LE(12)
  const nRefs = b.readUInt32LE(16)
  const {refsAt, tagsAt, numsAt, strsAt} = blockLayout(n, nNums, nRefs)
  if (n > NAT_BLOCK || strsAt + strsLen > b.length) throw new Error('a block cut short')
  const strs = JSON.parse(b.toString('utf8', strsAt, strsAt + strsLen)) as unknown
  const textBytes = b.toString('utf8', strsAt + strsLen)
  const texts = b[1] === 1 ? (JSON.parse(textBytes) as unknown) : textBytes.split('\n')
  if (!Array.isArray(strs) || !Array.isArray(texts) || texts.length !== n) throw new Error('a block whose strings do not match its records')
  let num = 0
  let ref = 0
  let next = 0
  const str = () => {
    const s = strs[next++] as unknown
    if (typeof s !== 'string') throw new Error('a block with too few strings')
    return s
  }
  const prev: unknown[] = new Array<unknown>(VALUES).fill(null)
  const out: NatPayload[] = []
  for (let i = 0; i < n; i++) {
    const p: NatPayload = [b.readUInt16LE(HEADER + 2 * i)]
    const text = texts[i] as unknown
    if (typeof text !== 'string') throw new Error('a block whose texts are not strings')
    for (let j = 0; j < VALUES; j++) {
      const tag = b[tagsAt + i * VALUES + j]
      if (tag === T_NULL) p.push(null)
      else if (tag === T_NUM) {
        if (num >= nNums) throw new Error('a block with too few numbers')
        p.push(b.readDoubleLE(numsAt + 8 * num++))
      } else if (tag === T_STR) p.push((prev[j] = str()))
      else if (tag === T_REF) {
        if (ref >= nRefs) throw new Error('a block with too few text references')
        const at = b.readUInt16LE(refsAt + 4 * ref)
        const len = b.readUInt16LE(refsAt + 4 * ref + 2)
        ref++
        if (at + len > text.length) throw new Error('a block whose text reference is beyond its text')
        p.push((prev[j] = text.slice(at, at + len)))
      }
      else if (tag === T_SAME) {
        if (typeof prev[j] !== 'string') throw new Error('a block repeating a string it does not have')
        p.push(prev[j])
      } else if (tag === T_TRUE) p.push(true)
      else if (tag === T_FALSE) p.push(false)
      else if (tag === T_JSON) p.push(JSON.parse(str()))
      else throw new Error(`a block with an unknown value tag ${tag}`)
    }
    p.push(text)
    out.push(p)
  }
  return out
}

/** One row of table `nat` as read back (NAT_COLUMNS after file_id). */
export interface NatColumns {
  seq: number
  line: number
  time: number
  /** the index of the kind in NAT_KINDS */
  kind: number
  /** an address as a canonical dotted quad's number (quadNumber), or else its text */
  outside_ip4: number | null
  outside_ip: string | null
  outside_port: number | null
  outside_port_end: number | null
  inside_port: number | null
  src_ip4: number | null
  src_ip: string | null
  dst_ip4: number | null
  dst_ip: string | null
}

/** The NAT record a row and its payload were written from (evidence.file is the given file). */
export function natFromColumns(c: NatColumns, r: NatPayload, file: string): NatEvent {
  const mask = r[0]
  const e: Record<string, unknown> = {
    kind: NAT_KINDS[c.kind],
    time: c.time,
    end: r[1],
    protocol: r[2],
    insideIp: r[3],
    insidePort: c.inside_port,
    outsideIp: ipOf(c.outside_ip4, c.outside_ip),
    outsidePort: c.outside_port,
    outsidePortEnd: c.outside_port_end,
    destIp: r[4],
    destPort: r[5],
    subscriber: r[6],
  }
  const opt = [ipOf(c.src_ip4, c.src_ip), r[7], ipOf(c.dst_ip4, c.dst_ip), r[8], r[9], r[10], r[11], r[12], r[13]]
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

const INT32_MAX = 0x7fffffff

/** rows a Parquet row group (a whole number of payload blocks) */
const GROUP = 64 * NAT_BLOCK

/** The columns of an indexed file's NAT rows (NatParquet). */
export const NAT_PARQUET: PqColumn[] = [
  {name: 'seq', type: 'INT32', optional: false},
  {name: 'line', type: 'INT32', optional: false},
  {name: 'time', type: 'DOUBLE', optional: false},
  {name: 'kind', type: 'INT32', converted: 'UINT_8', optional: false},
  {name: 'outside_ip4', type: 'INT32', converted: 'UINT_32', optional: true},
  {name: 'outside_ip', type: 'BYTE_ARRAY', converted: 'UTF8', optional: true},
  {name: 'outside_port', type: 'INT32', optional: true},
  {name: 'outside_port_end', type: 'INT32', optional: true},
  {name: 'inside_port', type: 'INT32', optional: true},
  {name: 'src_ip4', type: 'INT32', converted: 'UINT_32', optional: true},
  {name: 'src_ip', type: 'BYTE_ARRAY', converted: 'UTF8', optional: true},
  {name: 'dst_ip4', type: 'INT32', converted: 'UINT_32', optional: true},
  {name: 'dst_ip', type: 'BYTE_ARRAY', converted: 'UTF8', optional: true},
  {name: 'payload', type: 'BYTE_ARRAY', optional: true},
]

/** The key columns of the NAT rows, in order (the last column, `payload`, is read apart). */
export const NAT_COLUMNS = NAT_PARQUET.filter((c) => c.name !== 'payload')
  .map((c) => c.name)
  .join(', ')

class IntCol {
  values = new Int32Array(GROUP)
  present = new Uint8Array(GROUP)
  count = 0
}
class TextCol {
  values: Uint8Array[] = []
  present = new Uint8Array(GROUP)
  count = 0
}

/** A row group's columns as NatParquet fills them (≈ 1.9 MB of typed arrays). */
class Columns {
  readonly seqs = new Int32Array(GROUP)
  readonly lines = new Int32Array(GROUP)
  readonly times = new Float64Array(GROUP)
  readonly kinds = new Int32Array(GROUP)
  readonly o4 = new IntCol()
  readonly o = new TextCol()
  readonly op = new IntCol()
  readonly ope = new IntCol()
  readonly ip = new IntCol()
  readonly s4 = new IntCol()
  readonly s = new TextCol()
  readonly d4 = new IntCol()
  readonly d = new TextCol()
  readonly pay = new TextCol()

  /** empty again (every row's place in `present` is written anew as rows come) */
  clear(): void {
    for (const c of [this.o4, this.op, this.ope, this.ip, this.s4, this.d4]) c.count = 0
    for (const c of [this.o, this.s, this.d, this.pay]) {
      c.count = 0
      c.values = []
    }
  }
}

/**
 * The columns of the last file written in this thread, for the next: allocating and zeroing them for every
 * file cost ≈ 0.2 ms (a worker reads hundreds of small rotated files, and lease files need none).
 */
let spare: Columns | null = null

/**
 * The NAT rows of one file's records as a Parquet file (see NAT_PARQUET), a row group at a time; the row of a
 * block's first record (seq a multiple of NAT_BLOCK) carries the payloads of the block's records, the others a
 * NULL payload. The footer keeps each row group's range of `seq` and `time`, so that a lookup reads only the
 * row groups of its window and of the blocks it wants.
 */
export class NatParquet {
  private out: ParquetOut | null = null
  private n = 0
  private seq = 0
  /** taken at the first record (spare, or new), given back when the file is closed */
  private cols: Columns | null = null
  private block = new PayloadBlock()
  private inBlock = 0
  /** the range of `time` in the row group so far, and whether a time that is no number was seen (then the group keeps no range) */
  private tMin = Infinity
  private tMax = -Infinity
  private tNaN = false
  /** the range of the times of the whole file (null: no records, or none with a time that is a number) */
  timeRange: {min: number; max: number} | null = null
  private allMin = Infinity
  private allMax = -Infinity

  constructor(private readonly path: string) {}

  get written(): boolean {
    return this.out !== null
  }

  private static int(c: IntCol, i: number, v: number | null | undefined): void {
    if (v === null || v === undefined) c.present[i] = 0
    else {
      c.present[i] = 1
      c.values[c.count++] = v
    }
  }

  /** An address: its quad number (quadOf) in the first column, or its text in the second. */
  private static addr(c4: IntCol, c: TextCol, i: number, v: string | null | undefined): void {
    const q = quadOf(v)
    if (q >= 0) {
      c4.present[i] = 1
      c4.values[c4.count++] = q
      c.present[i] = 0
    } else {
      c4.present[i] = 0
      if (q === -2) {
        c.present[i] = 1
        c.values[c.count++] = Buffer.from(v!)
      } else c.present[i] = 0
    }
  }

  add(e: NatEvent): void {
    let c = this.cols
    if (c === null) {
      c = this.cols = spare ?? new Columns()
      spare = null
      c.clear()
    }
    const i = this.n
    // (the columns are int32: a file of over 2^31 lines — 400 GB of text — is refused rather than numbered wrong)
    if (this.seq > INT32_MAX || e.evidence.line > INT32_MAX) throw new Error('a log of more than 2^31 lines or records: split it into smaller files to index it')
    c.seqs[i] = this.seq++
    c.lines[i] = e.evidence.line
    const t = e.time
    c.times[i] = t
    if (t < this.tMin) this.tMin = t
    if (t > this.tMax) this.tMax = t
    if (t !== t) this.tNaN = true
    c.kinds[i] = kindCode(e.kind)
    NatParquet.addr(c.o4, c.o, i, e.outsideIp)
    NatParquet.int(c.op, i, e.outsidePort)
    NatParquet.int(c.ope, i, e.outsidePortEnd)
    NatParquet.int(c.ip, i, e.insidePort)
    NatParquet.addr(c.s4, c.s, i, e.srcIp)
    NatParquet.addr(c.d4, c.d, i, e.dstIp)
    c.pay.present[i] = this.inBlock === 0 ? 1 : 0
    this.block.add(e)
    this.n++
    if (++this.inBlock === NAT_BLOCK) this.endBlock()
  }

  private endBlock(): void {
    if (this.inBlock === 0) return
    const pay = this.cols!.pay
    pay.values[pay.count++] = this.block.take()
    this.inBlock = 0
    if (this.n === GROUP) this.group()
  }

  private group(): void {
    const n = this.n
    const c = this.cols
    if (n === 0 || c === null) return
    this.out ??= new ParquetOut(this.path, NAT_PARQUET)
    const ranged = !this.tNaN && this.tMin <= this.tMax
    const req = (values: Int32Array | Float64Array, range?: {min: number; max: number}): PqValues => ({values, count: n, ...(range ? {range} : {})})
    const opt = (c: IntCol | TextCol): PqValues => ({values: c.values, count: c.count, present: c.present})
    this.out.rowGroup(n, [req(c.seqs, {min: c.seqs[0]!, max: c.seqs[n - 1]!}), req(c.lines), req(c.times, ranged ? {min: this.tMin, max: this.tMax} : undefined), req(c.kinds), opt(c.o4), opt(c.o), opt(c.op), opt(c.ope), opt(c.ip), opt(c.s4), opt(c.s), opt(c.d4), opt(c.d), opt(c.pay)])
    this.allMin = Math.min(this.allMin, this.tMin)
    this.allMax = Math.max(this.allMax, this.tMax)
    this.tMin = Infinity
    this.tMax = -Infinity
    this.tNaN = false
    c.clear()
    this.n = 0
  }

  /** Writes what is left and the file's footer (nothing at all for a file of no records). */
  close(): void {
    this.endBlock()
    this.group()
    this.out?.close()
    this.timeRange = this.out && this.allMin <= this.allMax ? {min: this.allMin, max: this.allMax} : null
    this.giveBack()
  }

  /** Closes the file unfinished (the job failed). */
  abandon(): void {
    this.out?.abandon()
    this.giveBack()
  }

  private giveBack(): void {
    if (this.cols !== null) spare = this.cols
    this.cols = null
  }
}
