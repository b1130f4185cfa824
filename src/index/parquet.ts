/**
 * A Parquet file of flat columns written a row group at a time, for DuckDB's read_parquet: PLAIN values,
 * uncompressed, one data page (v1) a column chunk, an optional column's definition levels as RLE runs.
 * A column's values are handed over as they are kept (an Int32Array or Float64Array, byte strings), so a page
 * is its typed array's bytes: no work a value. The page headers and the footer are Thrift, written by
 * hyparquet-writer (its own column writer encodes value by value: 0.36–0.57 µs a row of our columns, more than
 * DuckDB takes to read a row of them from a TSV).
 */
import {closeSync, openSync, writevSync} from 'node:fs'
import {endianness} from 'node:os'
import type {ColumnChunk, ConvertedType, FileMetaData, RowGroup, SchemaElement} from 'hyparquet'
import {ByteWriter} from 'hyparquet-writer'
import {writePageHeader} from 'hyparquet-writer/src/datapage.js'
import {writeMetadata} from 'hyparquet-writer/src/metadata.js'

export interface PqColumn {
  name: string
  type: 'INT32' | 'DOUBLE' | 'BYTE_ARRAY'
  converted?: ConvertedType
  /** may be null (definition levels); otherwise every row has a value */
  optional: boolean
}

/**
 * A column's values in one row group: `values` holds the present ones in row order (a typed array's first
 * `count`, or byte strings); `present` (optional columns) is 1 for a row with a value, 0 for null.
 */
export interface PqValues {
  values: Int32Array | Float64Array | Uint8Array[]
  count: number
  present?: Uint8Array
  /** the least and greatest value (a number column), kept in the footer: DuckDB skips row groups by them */
  range?: {min: number; max: number}
}

const MAGIC = Buffer.from('PAR1')
const BIG_ENDIAN = endianness() === 'BE'

/** Definition levels of n rows (bit width 1) as RLE runs, with the page's 4-byte length in front. */
function defLevels(present: Uint8Array, n: number): Buffer {
  const out: number[] = [0, 0, 0, 0]
  let i = 0
  while (i < n) {
    const v = present[i]!
    let j = i + 1
    while (j < n && present[j] === v) j++
    // run header: varint(count << 1), then the value in one byte
    let h = (j - i) * 2
    while (h >= 0x80) {
      out.push((h & 0x7f) | 0x80)
      h = Math.floor(h / 128)
    }
    out.push(h, v ? 1 : 0)
    i = j
  }
  const b = Buffer.from(out)
  b.writeUInt32LE(b.length - 4, 0)
  return b
}

/** The PLAIN bytes of a column's values. */
function plain(v: PqValues, type: PqColumn['type']): Buffer[] {
  if (Array.isArray(v.values)) {
    const parts: Buffer[] = []
    for (let i = 0; i < v.count; i++) {
      const s = v.values[i]!
      const len = Buffer.allocUnsafe(4)
      len.writeUInt32LE(s.length, 0)
      parts.push(len, Buffer.from(s.buffer, s.byteOffset, s.length))
    }
    return parts
  }
  const width = type === 'DOUBLE' ? 8 : 4
  const bytes = Buffer.from(v.values.buffer, v.values.byteOffset, v.count * width)
  if (!BIG_ENDIAN) return [bytes]
  const copy = Buffer.from(bytes)
  return [width === 8 ? copy.swap64() : copy.swap32()]
}

export class ParquetOut {
  private fd: number
  private offset = 0
  private rowGroups: RowGroup[] = []
  private rows = 0n

  constructor(
    private readonly path: string,
    private readonly columns: PqColumn[],
  ) {
    this.fd = openSync(path, 'w')
    this.write([MAGIC])
  }

  private write(parts: Buffer[]): void {
    const bytes = parts.reduce((a, b) => a + b.length, 0)
    const n = writevSync(this.fd, parts)
    if (n !== bytes) throw new Error(`short write to ${this.path} (${n} of ${bytes} bytes): is the disk full?`)
    this.offset += bytes
  }

  /** One row group of n rows: data[i] the values of columns[i]. */
  rowGroup(n: number, data: PqValues[]): void {
    if (n === 0) return
    const start = this.offset
    const chunks: ColumnChunk[] = []
    const parts: Buffer[] = []
    let at = this.offset
    for (let c = 0; c < this.columns.length; c++) {
      const col = this.columns[c]!
      const d = data[c]!
      const body = plain(d, col.type)
      if (col.optional) body.unshift(defLevels(d.present!, n))
      const size = body.reduce((a, b) => a + b.length, 0)
      const h = new ByteWriter(64)
      writePageHeader(h, {type: 'DATA_PAGE', uncompressed_page_size: size, compressed_page_size: size, data_page_header: {num_values: n, encoding: 'PLAIN', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE'}})
      const head = Buffer.from(h.getBytes())
      chunks.push({
        file_offset: BigInt(at),
        meta_data: {
          type: col.type,
          encodings: ['PLAIN', 'RLE'],
          path_in_schema: [col.name],
          codec: 'UNCOMPRESSED',
          num_values: BigInt(n),
          total_uncompressed_size: BigInt(head.length + size),
          total_compressed_size: BigInt(head.length + size),
          data_page_offset: BigInt(at),
          ...(d.range ? {statistics: {min_value: d.range.min, max_value: d.range.max}} : {}),
        },
      })
      parts.push(head, ...body)
      at += head.length + size
    }
    this.write(parts)
    this.rowGroups.push({columns: chunks, total_byte_size: BigInt(this.offset - start), num_rows: BigInt(n)})
    this.rows += BigInt(n)
  }

  /** The footer; the file is complete after this. */
  close(): void {
    const schema: SchemaElement[] = [
      {name: 'schema', num_children: this.columns.length},
      ...this.columns.map((c): SchemaElement => ({name: c.name, type: c.type, repetition_type: c.optional ? 'OPTIONAL' : 'REQUIRED', ...(c.converted ? {converted_type: c.converted} : {})})),
    ]
    const meta: FileMetaData = {version: 1, schema, num_rows: this.rows, row_groups: this.rowGroups, created_by: 'natrace', metadata_length: 0}
    const w = new ByteWriter(4096)
    writeMetadata(w, meta)
    this.write([Buffer.from(w.getBytes()), MAGIC])
    closeSync(this.fd)
    this.fd = -1
  }

  /** Closes the file without a footer (a job that failed: the file is not read). */
  abandon(): void {
    if (this.fd >= 0) closeSync(this.fd)
    this.fd = -1
  }
}
