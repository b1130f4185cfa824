/**
 * Attribution from the index: the NAT records that can match the report's incidents — same public ip:port
 * (or a port block holding the port), or one-sided packets from the same inside port — within each
 * incident's window ± the pruning margin, and the lease records of the inside addresses found. The records
 * come back as the scan would have parsed them, per file in rotation order and line order, so the engine
 * gives the same answers.
 *
 * Syslog stamps carry no year: the index reads them with the year the file's mtime implies, a scan with the
 * year nearest the report. For files of such stamps the lookup ignores the stored times and reads the matched
 * lines again (their text is in the record's payload) with the year policy of the attribution, so both agree even for
 * archives whose mtimes are not their lines' year.
 */
import {existsSync} from 'node:fs'
import type {DuckDBBlobValue} from '@duckdb/node-api'
import type {Incident, LeaseEvent, NatEvent, SourceFile, ZoneHow} from '../model.js'
import {NatraceError} from '../io/errors.js'
import {orderRotated} from '../io/files.js'
import type {SourceResult} from '../io/source.js'
import type {TimeWindow} from '../io/prune.js'
import type {LineFormat, ParseContext} from '../io/format.js'
import {TimeContext, type YearPolicy} from '../io/time.js'
import {natFormats} from '../nat/registry.js'
import {leaseFormats} from '../lease/registry.js'
import {lit, natDir, natFile, openIndexDb, schemaError, schemaOf, SCHEMA_VERSION, type IndexDb} from './schema.js'
import {NAT_BLOCK, NAT_COLUMNS, NAT_KINDS, natFromColumns, quadNumber, quadText, readNatBlock, type NatColumns, type NatPayload} from './rows.js'

interface FileRow {
  id: number
  path: string
  family: 'nat' | 'lease'
  size: bigint
  mtime_ms: number
  compressed: string | null
  format: string | null
  zone: string
  zone_how: ZoneHow
  years: string
  first_ms: bigint | null
  last_ms: bigint | null
  records: bigint
  malformed: bigint
  dst_repeated: number
  dst_gap: number
  first_line: number | null
  first_text: string | null
  last_line: number | null
  last_text: string | null
  nat_time_min: number | null
  nat_time_max: number | null
}

const num = (v: bigint | number | null) => (v === null ? null : Number(v))

/** `col` (outside_ip, src_ip, dst_ip) is this address, as rows.ts stores it (a dotted quad as a number). */
function ipIs(col: string, ip: string): string {
  const q = quadNumber(ip)
  return q >= 0 ? `${col}4 = ${q}` : `${col} = ${lit(ip)}`
}

function resultOf<T>(f: FileRow, records: T[]): SourceResult<T> {
  const file: SourceFile = {path: f.path, display: f.path, size: Number(f.size), mtimeMs: f.mtime_ms, compressed: f.compressed === 'gzip' ? 'gzip' : null}
  return {
    file,
    format: f.format,
    records,
    zone: {zone: f.zone, how: f.zone_how},
    years: JSON.parse(f.years) as number[],
    dstRepeated: f.dst_repeated,
    dstGap: f.dst_gap,
    parsedLines: records.length,
    ignoredLines: 0,
    malformed: {count: Number(f.malformed), lines: [], first: []},
    prefiltered: true,
    firstMs: null,
    lastMs: null,
    recordCount: records.length,
    spanFirstMs: num(f.first_ms),
    spanLastMs: num(f.last_ms),
  }
}

/** A file whose stamps carry no year (syslog): the index chose the years from its mtime. */
function yearless(f: FileRow): boolean {
  return f.years !== '[]'
}

/** A record's fields other than its times and evidence, in a fixed key order (rebuilt rows list their fields
 * in another order than the parser that made them). */
function sameKey(x: object): string {
  const o = x as Record<string, unknown>
  return JSON.stringify(Object.keys(o).filter((k) => k !== 'time' && k !== 'end' && k !== 'timeAlt' && k !== 'evidence' && o[k] !== undefined).sort().map((k) => [k, o[k]]))
}

const kindOf = (x: object) => (x as {kind?: unknown; event?: unknown}).kind ?? (x as {event?: unknown}).event

/**
 * The record of an evidence line read again on a context with the attribution's year policy (anyOne: a line
 * read into one record gives that record, whatever it is).
 */
function reread<T extends {evidence: {line: number; text: string; role?: string}}>(c: {ctx: ParseContext; formats: LineFormat<T>[]}, e: T, anyOne = false): T | null {
  for (const f of c.formats) {
    let got: T | T[] | null = null
    try {
      got = f.parse({no: e.evidence.line, text: e.evidence.text}, c.ctx)
    } catch {
      got = null
    }
    if (got === null) continue
    const list = Array.isArray(got) ? got : [got]
    // a line read into several records: the one of the same kind of evidence (role) as the stored one
    const want = sameKey(e)
    const same = list.find((x) => sameKey(x) === want)
    if (same) return same
    // one record whose fields moved with the year (a lease's leaseEnd): that record, if it is the same kind of
    // record with the same role; anything else is another record (evidence joining two lines, as pf's LAN+WAN
    // pair, read again as one line gives the LAN packet): null, the stored record stays
    const one = list.length === 1 ? list[0]! : null
    return one && (anyOne || (kindOf(one) === kindOf(e) && one.evidence.role === e.evidence.role)) ? one : null
  }
  return null
}

export class IndexReader {
  /** the files by id */
  private readonly byId: Map<number, FileRow>

  private constructor(
    private readonly db: IndexDb,
    private readonly files: FileRow[],
    private readonly path: string,
  ) {
    this.byId = new Map(files.map((f) => [f.id, f]))
  }

  static async open(path: string): Promise<IndexReader> {
    if (!existsSync(path)) throw new NatraceError('index file does not exist: build it with `natrace index PATH… --db FILE`', 1, path)
    let db: IndexDb
    try {
      db = await openIndexDb(path, {readOnly: true})
    } catch (e) {
      throw new NatraceError(`cannot open the index (${(e as Error).message.split('\n')[0]})`, 1, path)
    }
    const version = await schemaOf(db.conn).catch(() => null)
    if (version !== String(SCHEMA_VERSION)) {
      db.close()
      throw new NatraceError(schemaError(version), 1, path)
    }
    const rows = (await db.conn.runAndReadAll('SELECT * FROM files WHERE family IS NOT NULL')).getRowObjects() as unknown as FileRow[]
    const order = new Map(orderRotated(rows.map((r) => r.path)).map((p, i) => [p, i]))
    rows.sort((a, b) => order.get(a.path)! - order.get(b.path)!)
    // the NAT rows are files beside the index: an index copied without them cannot answer
    const lost = rows.find((r) => r.family === 'nat' && r.records > 0n && !existsSync(natFile(path, r.id)))
    if (lost) {
      db.close()
      throw new NatraceError(`the index's NAT records of ${lost.path} are missing (${natFile(path, lost.id)}): keep the directory ${natDir(path)} with the index, or run \`natrace index\` again to index them anew`, 1, path)
    }
    return new IndexReader(db, rows, path)
  }

  get hasLeases(): boolean {
    return this.files.some((f) => f.family === 'lease')
  }

  get natFileCount(): number {
    return this.files.filter((f) => f.family === 'nat').length
  }

  /**
   * Records of `parts`: for `nat`, whole SELECTs of NAT rows (natSelect); for `leases`, conditions on table
   * `leases`. One query each (a simple conjunction lets DuckDB skip row groups by their ranges; an OR of ranges
   * would scan everything), deduplicated by UNION.
   */
  private async rows<T extends {time: number; evidence: {file: string; line: number; text: string}}>(
    table: 'nat' | 'leases',
    parts: string[],
    reparse: {year: YearPolicy; windows: TimeWindow[] | null} | null,
  ): Promise<Map<number, T[]>> {
    const byFile = new Map<number, T[]>()
    if (parts.length === 0) return byFile
    // lease rows: rowid (load order = the parser's order within a line) before the record, so the records of
    // one line come back in the order a scan reads them (a radacct row's start and interim at one instant)
    const sql = table === 'nat' ? parts : parts.map((w) => `SELECT file_id, line, rowid AS seq, ev FROM leases WHERE ${w}`)
    // ORDER BY the whole row: records of one line come back in one order, whatever DuckDB's plan (NAT rows:
    // file, then seq, the order the file was read in)
    // (lease parts are one address each, so disjoint: UNION ALL keeps two equal records of one line)
    const got = (await this.query(`SELECT * FROM (${sql.join(table === 'nat' ? ' UNION ' : ' UNION ALL ')}) ORDER BY ALL`, `its ${table === 'nat' ? 'NAT' : 'lease'} records`)).getRowObjects()
    const blocks = table === 'nat' ? await this.blocks(got as unknown as {file_id: number; seq: number}[]) : null
    const ctxs = new Map<number, {ctx: ParseContext; formats: LineFormat<T>[]}>()
    for (const row of got) {
      const id = Number(row.file_id)
      const f = this.byId.get(id)
      let e: T
      if (table === 'nat') {
        const c = row as unknown as NatColumns
        const payload = blocks!.get(id)?.get(Math.floor(c.seq / NAT_BLOCK))?.[c.seq % NAT_BLOCK]
        if (!payload) throw new NatraceError(`the index is damaged (record ${c.seq} of file ${f ? f.path : id} has no payload): delete it and build it again`, 1)
        e = natFromColumns(c, payload, f ? f.path : '') as unknown as T
      } else {
        e = JSON.parse(row.ev as string) as T
        if (f) e.evidence.file = f.path
      }
      if (reparse && f && yearless(f)) {
        let c = ctxs.get(id)
        if (!c) {
          const all = (table === 'nat' ? natFormats : leaseFormats) as unknown as LineFormat<T>[]
          const named = all.filter((x) => x.name === f.format)
          const file: SourceFile = {path: f.path, display: f.path, size: Number(f.size), mtimeMs: f.mtime_ms, compressed: null}
          c = {ctx: {file, time: new TimeContext({zone: f.zone, how: f.zone_how}, reparse.year), state: {}, malformed() {}}, formats: named.length ? named : all.filter((x) => x.prefilter)}
          ctxs.set(id, c)
        }
        const again = reread(c, e)
        if (again) e = again
        if (reparse.windows && !reparse.windows.some((w) => e.time >= w.from && e.time <= w.to)) continue
      }
      let l = byFile.get(id)
      if (!l) byFile.set(id, (l = []))
      l.push(e)
    }
    return byFile
  }

  /** A query of the index; records DuckDB cannot read (a Parquet file of NAT rows spoilt) are a damaged index. */
  private async query(sql: string, what = 'its NAT records'): Promise<Awaited<ReturnType<IndexDb['conn']['runAndReadAll']>>> {
    try {
      return await this.db.conn.runAndReadAll(sql)
    } catch (e) {
      throw new NatraceError(`the index is damaged (${what} cannot be read: ${((e as Error).message ?? String(e)).split('\n')[0]}): delete it and build it again`, 1)
    }
  }

  /**
   * `SELECT file_id, cols` of the NAT rows of these files (their Parquet files, one at least; file_id from the
   * file's name) with this condition.
   */
  private natSelect(files: FileRow[], cols: string, where: string): string {
    const paths = files.map((f) => lit(natFile(this.path, f.id)))
    return `SELECT CASE filename ${files.map((f, i) => `WHEN ${paths[i]} THEN ${f.id}`).join(' ')} END AS file_id, ${cols} FROM read_parquet([${paths.join(', ')}], filename = true) WHERE ${where}`
  }

  /** The payload blocks holding these NAT rows, by file id and block number. */
  private async blocks(rows: {file_id: number; seq: number}[]): Promise<Map<number, Map<number, NatPayload[]>>> {
    const want = new Map<number, Set<number>>()
    for (const r of rows) {
      const id = Number(r.file_id)
      let s = want.get(id)
      if (!s) want.set(id, (s = new Set()))
      s.add(Math.floor(r.seq / NAT_BLOCK))
    }
    const out = new Map<number, Map<number, NatPayload[]>>()
    if (want.size === 0) return out
    // the block's payloads are on the row of its first record (the files' row groups hold ranges of seq: only
    // those of these rows are read)
    const parts = [...want].map(([id, bs]) => this.natSelect([this.byId.get(id)!], 'seq, payload', `seq IN (${[...bs].map((b) => b * NAT_BLOCK).join(', ')})`))
    for (const [id, seq, data] of (await this.query(parts.join(' UNION ALL '))).getRows()) {
      if (data === null) continue
      let m = out.get(Number(id))
      if (!m) out.set(Number(id), (m = new Map()))
      let block: NatPayload[]
      try {
        block = readNatBlock((data as DuckDBBlobValue).bytes)
      } catch (e) {
        const f = this.byId.get(Number(id))
        throw new NatraceError(`the index is damaged (the records of file ${f ? f.path : id} from ${seq} on cannot be read: ${(e as Error).message}): delete it and build it again`, 1)
      }
      m.set(Number(seq) / NAT_BLOCK, block)
    }
    return out
  }

  /** A yearless file's span read again from its end lines with the attribution's year policy. */
  private spanAgain<T>(r: SourceResult<T>, f: FileRow, year: YearPolicy): SourceResult<T> {
    if (!yearless(f)) return r
    const formats = (f.family === 'nat' ? natFormats : leaseFormats) as unknown as LineFormat<{time: number; evidence: {line: number; text: string}}>[]
    const named = formats.filter((x) => x.name === f.format)
    const at = (line: number | null, text: string | null): number | null => {
      if (line === null || text === null) return null
      const ctx: ParseContext = {file: r.file, time: new TimeContext({zone: f.zone, how: f.zone_how}, year), state: {}, malformed() {}}
      // only the time is wanted here: the line's one record, whatever it is
      const e = reread({ctx, formats: named.length ? named : formats.filter((x) => x.prefilter)}, {time: 0, evidence: {line, text}}, true)
      return e ? e.time : null
    }
    return {...r, spanFirstMs: at(f.first_line, f.first_text) ?? r.spanFirstMs, spanLastMs: at(f.last_line, f.last_text) ?? r.spanLastMs}
  }

  /**
   * The time ranges of `nat` rows within a window, each with the NAT files whose rows reach into it: the window,
   * and for files of yearless stamps the window as the index placed them — the same month, day and time in each
   * year the index gave those files (± 1 year, ± 1 day for zones and leap days); the lines found there are read
   * again with the attribution's year policy.
   */
  private natRanges(): (w: TimeWindow) => {files: FileRow[]; time: string}[] {
    const nat = this.files.filter((f) => f.family === 'nat' && f.nat_time_min !== null && f.nat_time_max !== null)
    const yl = nat.filter(yearless)
    const years = new Set<number>()
    for (const f of yl) for (const y of JSON.parse(f.years) as number[]) for (const d of [-1, 0, 1]) years.add(y + d)
    const range = (files: FileRow[], from: number, to: number) => ({files: files.filter((f) => f.nat_time_max! >= from && f.nat_time_min! <= to), time: `time BETWEEN ${from} AND ${to}`})
    // (a yearless file's rows in the window itself are within the shifted range of the window's own year, one
    // day wider: the window's range is read in the other files only)
    const dated = nat.filter((f) => !yearless(f))
    return (w) =>
      [
        range(dated, Math.floor(w.from), Math.ceil(w.to)),
        ...[...years].map((y) => {
          const d = new Date(w.from)
          d.setUTCFullYear(y)
          const shift = d.getTime() - w.from
          return range(yl, Math.floor(w.from + shift - 86_400_000), Math.ceil(w.to + shift + 86_400_000))
        }),
      ].filter((r) => r.files.length > 0)
  }

  /** NAT records able to match the incidents within the windows, one result per indexed NAT file. */
  async nat(incidents: Incident[], windows: TimeWindow[], year: YearPolicy): Promise<SourceResult<NatEvent>[]> {
    const parts: string[] = []
    const ranges = this.natRanges()
    incidents.forEach((inc, i) => {
      const w = windows[i]!
      if (inc.publicPort === null || inc.portRole !== 'source') return
      const p = inc.publicPort
      const keys = [`kind = ${NAT_KINDS.indexOf('packet')} AND inside_port = ${p}`]
      if (inc.publicIp) {
        const ip = ipIs('outside_ip', inc.publicIp)
        keys.push(`${ip} AND outside_port = ${p}`, `${ip} AND outside_port <= ${p} AND outside_port_end >= ${p}`)
      }
      // one query per key and range, not an OR of the keys: DuckDB pushes a conjunction down into the scan
      // (the key columns first, the text only for matching rows); an OR is filtered after reading every column
      for (const r of ranges(w)) for (const k of keys) parts.push(this.natSelect(r.files, NAT_COLUMNS, `${r.time} AND ${k}`))
    })
    const byFile = await this.rows<NatEvent>('nat', parts, {year, windows})
    return this.files.filter((f) => f.family === 'nat').map((f) => this.spanAgain(resultOf(f, byFile.get(f.id) ?? []), f, year))
  }

  /**
   * Which of these public addresses the indexed NAT logs show (a translation to it, or a packet from or to it)
   * within the windows: what a scan of the pruned files would have seen, for the one-sided confirmation rule.
   */
  async seenPublicIps(ips: string[], windows: TimeWindow[]): Promise<string[]> {
    if (ips.length === 0 || windows.length === 0) return []
    const ranges = this.natRanges()
    // the addresses as rows.ts stores them: a canonical dotted quad as a number, anything else as text
    const quads: number[] = []
    const texts: string[] = []
    for (const ip of ips) {
      const q = quadNumber(ip)
      if (q >= 0) quads.push(q)
      else texts.push(lit(ip))
    }
    const parts: string[] = []
    for (const w of windows) {
      for (const r of ranges(w))
        for (const col of ['outside_ip', 'src_ip', 'dst_ip']) {
          if (quads.length) parts.push(this.natSelect(r.files, `${col}4 AS q, NULL::VARCHAR AS ip`, `${r.time} AND ${col}4 IN (${quads.join(', ')})`))
          if (texts.length) parts.push(this.natSelect(r.files, `NULL::UINTEGER AS q, ${col} AS ip`, `${r.time} AND ${col} IN (${texts.join(', ')})`))
        }
    }
    if (parts.length === 0) return []
    const got = (await this.query(`SELECT DISTINCT q, ip FROM (${parts.join(' UNION ')})`)).getRows()
    return got.map(([q, ip]) => (q === null ? String(ip) : quadText(Number(q))))
  }

  /** Lease records of these inside addresses, one result per indexed lease source. */
  async leases(ips: string[], year: YearPolicy): Promise<SourceResult<LeaseEvent>[]> {
    // one equality per address (the index on ip serves `=`, not IN)
    const where = [...new Set(ips)].map((ip) => `ip = ${lit(ip)}`)
    const byFile = await this.rows<LeaseEvent>('leases', where, {year, windows: null})
    return this.files.filter((f) => f.family === 'lease').map((f) => this.spanAgain(resultOf(f, byFile.get(f.id) ?? []), f, year))
  }

  close(): void {
    this.db.close()
  }
}
