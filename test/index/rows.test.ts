import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {DuckDBInstance, type DuckDBBlobValue, type DuckDBConnection} from '@duckdb/node-api'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {expandInputs} from '../../src/io/files.js'
import {mtimeYearPolicy} from '../../src/io/inputs.js'
import {readSource} from '../../src/io/source.js'
import {natFormats} from '../../src/nat/registry.js'
import {NAT_BLOCK, NAT_COLUMNS, NAT_KINDS, natFromColumns, NatParquet, quadNumber, quadText, readNatBlock, type NatColumns, type NatPayload} from '../../src/index/rows.js'

const fixtures = resolve(import.meta.dirname, '../fixtures/nat')
const tmp = mkdtempSync(join(tmpdir(), 'natrace-rows-'))
let conn: DuckDBConnection
let instance: DuckDBInstance
let nth = 0

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:')
  conn = await instance.connect()
})
afterAll(() => {
  conn.closeSync()
  instance.closeSync()
  rmSync(tmp, {recursive: true, force: true})
})

/** A NAT row as a SELECT gives it: the key columns, and the payload blob (null but on a block's first row). */
type Row = {c: NatColumns; payload: Uint8Array | null}

/**
 * The Parquet rows NatParquet writes for these records, read by DuckDB's read_parquet as the build loads them:
 * the key columns of each row in file order, and the payload blob of the rows that carry one.
 */
async function written(records: NatEvent[]): Promise<Row[]> {
  const path = join(tmp, `rows-${nth++}.parquet`)
  const w = new NatParquet(path)
  for (const e of records) w.add(e)
  w.close()
  // (a file of no records writes no file)
  if (!w.written) return []
  const got = (await conn.runAndReadAll(`SELECT ${NAT_COLUMNS}, payload FROM read_parquet('${path}')`)).getRowObjects()
  return got.map(({payload, ...c}) => {
    const n = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))
    return {c: n as unknown as Row['c'], payload: payload === null ? null : (payload as DuckDBBlobValue).bytes}
  })
}

/** Records written and read back as an indexed lookup does: each row with the payload of its block. */
async function roundTrip(records: NatEvent[], file: string): Promise<NatEvent[]> {
  const rows = await written(records)
  const blocks = new Map<number, NatPayload[]>()
  for (const r of rows) if (r.payload) blocks.set(r.c.seq / NAT_BLOCK, readNatBlock(r.payload))
  return rows.map(({c}) => natFromColumns(c, blocks.get(Math.floor(c.seq / NAT_BLOCK))![c.seq % NAT_BLOCK]!, file))
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]))
}

describe('index rows of NAT records', () => {
  it('give back every record of every NAT fixture exactly (fields, absent optional fields, evidence text)', async () => {
    let seen = 0
    const formats = new Set<string>()
    for (const path of files(fixtures)) {
      const [file] = await expandInputs([path], 'log')
      const records: NatEvent[] = []
      const r = await readSource<NatEvent>(file!, natFormats, {year: mtimeYearPolicy(file!), keepRecords: false, zone: 'America/Sao_Paulo', onRecord: (e) => records.push(e)})
      if (records.length) formats.add(r.format!)
      // the rows carry their seq; only a block's first row (seq a multiple of NAT_BLOCK) has the payloads
      const rows = await written(records)
      expect(rows.map((r) => r.c.seq)).toEqual(records.map((_, i) => i))
      expect(rows.filter((r) => r.payload !== null).map((r) => r.c.seq)).toEqual(records.map((_, i) => i).filter((i) => i % NAT_BLOCK === 0))
      expect(await roundTrip(records, file!.display)).toStrictEqual(JSON.parse(JSON.stringify(records)) as NatEvent[])
      seen += records.length
    }
    expect(seen).toBeGreaterThan(100)
    expect(formats.size).toBeGreaterThanOrEqual(12)
  })

  it('give back the records of a file longer than one block, each from the payload block of its seq', async () => {
    const records: NatEvent[] = Array.from({length: NAT_BLOCK * 2 + 37}, (_, i) => ({
      kind: 'mapping',
      time: 1774904400000 + i * 1000,
      end: null,
      protocol: 'tcp',
      insideIp: `100.64.${i >> 8}.${i & 255}`,
      insidePort: 1024 + i,
      outsideIp: '198.51.100.20',
      outsidePort: 40000 + i,
      outsidePortEnd: null,
      destIp: '192.0.2.200',
      destPort: 22,
      subscriber: null,
      evidence: {file: 'f', line: i + 1, text: `line ${i}`, role: 'NAT translation'},
    }))
    expect((await written(records)).filter((r) => r.payload !== null)).toHaveLength(3)
    expect(await roundTrip(records, 'f')).toStrictEqual(records)
    // IPv6 and IPv4 public addresses mixed (the text column and the number column), a block's first record either
    const mixed = records.map((e, i) => (i % 3 === 0 || i === NAT_BLOCK + 1 ? {...e, outsideIp: `2001:db8::${i.toString(16)}`} : e))
    const rows = await written(mixed)
    expect(rows.filter((r) => r.payload !== null).map((r) => [r.c.seq, r.c.outside_ip !== null])).toEqual([[0, true], [NAT_BLOCK, false], [2 * NAT_BLOCK, false]])
    expect(await roundTrip(mixed, 'f')).toStrictEqual(mixed)
    // more rows than a row group (64 blocks), the last group part of one
    const many: NatEvent[] = Array.from({length: 64 * NAT_BLOCK * 2 + 700}, (_, i) => ({...records[i % records.length]!, time: 1774904400000 + i, outsidePort: i & 0xffff, evidence: {file: 'f', line: i + 1, text: `line ${i}`, role: 'NAT translation'}}))
    expect(await roundTrip(many, 'f')).toStrictEqual(many)
  })

  it('keep the range of time and seq of each row group, so that DuckDB skips no group holding a row asked for (property)', async () => {
    const base: NatEvent = {kind: 'mapping', time: 0, end: null, protocol: 'tcp', insideIp: '100.64.0.1', insidePort: 1, outsideIp: '198.51.100.20', outsidePort: 2, outsidePortEnd: null, destIp: null, destPort: null, subscriber: null, evidence: {file: 'f', line: 1, text: 'x'}}
    const GROUP = 64 * NAT_BLOCK
    // times in no order over more than two row groups (drawn from a seed: a 70,000-value array would take
    // fast-check minutes to shrink), one of them now and then no number
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({min: 1, max: 1e6}), fc.boolean(), async (seed, spread, nan) => {
        let x = seed | 0
        const next = () => ((x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0) >>> 0) % (spread + 1)
        const records = Array.from({length: 70_000}, (_, i) => ({...base, time: nan && i === 40_000 ? Number.NaN : next(), evidence: {file: 'f', line: i + 1, text: 'x'}}))
        const path = join(tmp, `range-${nth++}.parquet`)
        const w = new NatParquet(path)
        for (const e of records) w.add(e)
        w.close()
        const finite = records.map((e) => e.time).filter((t) => !Number.isNaN(t))
        expect(w.timeRange).toEqual({min: Math.min(...finite), max: Math.max(...finite)})
        // each group's least and greatest time, asked for alone: a range kept one too narrow loses its row
        const ends: number[] = []
        for (let g = 0; g < records.length; g += GROUP) {
          const ts = records.slice(g, g + GROUP).map((e) => e.time).filter((t) => !Number.isNaN(t))
          ends.push(Math.min(...ts), Math.max(...ts))
        }
        for (const t of ends) {
          const got = (await conn.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}') WHERE time BETWEEN ${t} AND ${t}`)).getRows()[0]![0]
          expect(Number(got), `time ${t}`).toBe(records.filter((e) => e.time === t).length)
        }
        const seqs = [0, GROUP - 1, GROUP, 40_000, 2 * GROUP - 1, 2 * GROUP, 69_999]
        for (const q of seqs) expect((await conn.runAndReadAll(`SELECT seq FROM read_parquet('${path}') WHERE seq = ${q}`)).getRows().map((r) => Number(r[0]))).toEqual([q])
      }),
      {numRuns: 4},
    )
  })

  it('keep tabs, newlines, backslashes and the `\\N` text of an evidence line and addresses, and null against absent fields', async () => {
    const e: NatEvent = {
      kind: 'packet',
      time: 1774904400372.143,
      end: null,
      protocol: null,
      insideIp: null,
      insidePort: null,
      outsideIp: null,
      outsidePort: null,
      outsidePortEnd: null,
      destIp: null,
      destPort: null,
      subscriber: 'a|b\t"c"\\',
      srcIp: 'odd\tsource\\',
      timeAlt: 1774908000372.5,
      evidence: {file: 'f', line: 3, text: '[1]\tfirst\\half\nsecond\r\\N'},
    }
    expect((await roundTrip([e], 'f'))[0]).toStrictEqual(e)
    expect((await roundTrip([{...e, evidence: {file: 'f', line: 3, text: '\\N', role: 'packet'}}], 'f'))[0]!.evidence).toStrictEqual({file: 'f', line: 3, text: '\\N', role: 'packet'})
  })
  it('give back a string found in the line beyond what a text reference reaches, and the empty string', async () => {
    const far = `${'x'.repeat(70_000)} 100.64.0.9`
    const e = {kind: 'mapping', time: 1, insideIp: '100.64.0.9', insidePort: 1, outsideIp: '198.51.100.20', outsidePort: 2, outsidePortEnd: null, destIp: '', destPort: null, protocol: 'x'.repeat(66_000), subscriber: null, end: null, evidence: {file: 'f', line: 1, text: far}} as unknown as NatEvent
    expect(await roundTrip([e, {...e, evidence: {file: 'f', line: 2, text: 'no 100.64.0.9 here'}}], 'f')).toStrictEqual([e, {...e, evidence: {file: 'f', line: 2, text: 'no 100.64.0.9 here'}}])
  })
  it('store a canonical dotted quad as a number and give the same text back; nothing else is taken for one (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.string({maxLength: 16, unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ' ', 'a')}), fc.string()), (s) => {
        const q = quadNumber(s)
        const canonical = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s)
        expect(q >= 0).toBe(canonical)
        if (canonical) expect(quadText(q)).toBe(s)
      }),
      {numRuns: 2000},
    )
    fc.assert(
      fc.property(fc.integer({min: 0, max: 2 ** 32 - 1}), (q) => {
        expect(quadNumber(quadText(q))).toBe(q)
      }),
    )
  })
  it('store the key columns as DuckDB reads them back: numbers as they are, addresses as quad numbers or text (property)', async () => {
    // (text of odd characters: tab, newline, backslash, other control characters, non-ASCII, a surrogate pair)
    const odd = fc.string({maxLength: 12, unit: fc.constantFrom('\\', '\t', '\n', '\r', '\x01', '\x7f', 'N', 'a', '1', '.', ':', ' ', 'é', '😀')})
    const ip = fc.oneof(fc.constant(null), odd, fc.string({maxLength: 20, unit: 'grapheme'}), fc.ipV4(), fc.ipV6())
    const port = fc.oneof(fc.constant(null), fc.integer({min: 0, max: 65535}), fc.integer())
    const record = fc.record({
      time: fc.oneof(fc.double({noNaN: true}), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31), 1e9 - 1, 1e9, 1e9 + 7, 1774882801014, 1774882801000)),
      line: fc.integer({min: 0, max: 2 ** 31 - 1}),
      kind: fc.constantFrom(...NAT_KINDS),
      outsideIp: ip,
      outsidePort: port,
      outsidePortEnd: port,
      insidePort: port,
      srcIp: fc.option(ip, {nil: undefined}),
      dstIp: fc.option(ip, {nil: undefined}),
    })
    const quad = (v: string | null | undefined) => typeof v === 'string' && /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v)
    await fc.assert(
      fc.asyncProperty(fc.array(record, {minLength: 1, maxLength: NAT_BLOCK + 40}), async (rs) => {
        const rows = await written(rs.map(({line, ...r}) => ({...r, protocol: null, insideIp: null, destIp: null, destPort: null, subscriber: null, end: null, evidence: {file: 'f', line, text: 'x'}}) as unknown as NatEvent))
        expect(rows).toHaveLength(rs.length)
        rs.forEach((r, i) => {
          // an address: a canonical dotted quad as its number (the …4 column), anything else as text
          const ip = (k: string, v: string | null | undefined) => ({[`${k}4`]: quad(v) ? v!.split('.').reduce((a, x) => a * 256 + Number(x), 0) : null, [k]: v === null || v === undefined || quad(v) ? null : v})
          const want = {
            seq: i, line: r.line, time: r.time, kind: NAT_KINDS.indexOf(r.kind),
            ...ip('outside_ip', r.outsideIp), outside_port: r.outsidePort, outside_port_end: r.outsidePortEnd, inside_port: r.insidePort,
            ...ip('src_ip', r.srcIp), ...ip('dst_ip', r.dstIp),
          }
          expect(rows[i]!.c).toStrictEqual(want)
          expect(rows[i]!.payload !== null).toBe(i % NAT_BLOCK === 0)
        })
      }),
      {numRuns: 100},
    )
  })
  it('give back any values of the payload fields exactly, whatever their type (property)', async () => {
    // what a field may hold: every JSON value (as JSON gives it back: a -0 inside an object is 0), and numbers
    // JSON would lose (NaN, -0, ±Infinity, fractions)
    const value = fc.oneof(fc.constant(null), fc.constant(undefined), fc.double(), fc.integer(), fc.string({maxLength: 20}), fc.boolean(), fc.jsonValue({maxDepth: 2}).map((j) => JSON.parse(JSON.stringify(j)) as unknown))
    const record = fc.record({
      end: value,
      protocol: value,
      insideIp: value,
      destIp: value,
      destPort: value,
      subscriber: value,
      srcPort: value,
      dstPort: value,
      dir: value,
      iface: value,
      replied: value,
      timeAlt: value,
      phase: value,
      role: value,
      // evidence lines are decoded UTF-8 text (no lone surrogates); one may hold a newline (a split record)
      text: fc.oneof(fc.string({maxLength: 60, unit: 'grapheme'}), fc.string({maxLength: 60}).map((x) => `${x}\n${x}`)),
      // the line holds the record's strings (as a log line holds its addresses): they are stored as places in it
      weave: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(fc.array(record, {minLength: 1, maxLength: NAT_BLOCK + 40}), async (rs) => {
        const records = rs.map(({role, text: t, weave, ...v}, i) => {
          const text = weave ? [t, ...Object.values(v), role].filter((x) => typeof x === 'string').join(' ') : t
          const e: Record<string, unknown> = {kind: 'mapping', time: 1774904400000 + i, insidePort: 1, outsideIp: '198.51.100.20', outsidePort: 2, outsidePortEnd: null, ...v}
          e.evidence = role === undefined ? {file: 'f', line: i + 1, text} : {file: 'f', line: i + 1, text, role}
          return e as unknown as NatEvent
        })
        const back = await roundTrip(records, 'f')
        records.forEach((e, i) => {
          const b = back[i] as unknown as Record<string, unknown>
          const r = e as unknown as Record<string, unknown>
          for (const k of ['end', 'protocol', 'insideIp', 'destIp', 'destPort', 'subscriber']) expect(b[k], k).toStrictEqual(r[k] ?? null)
          // optional fields: absent when undefined, else the value (null stays null)
          for (const k of ['srcPort', 'dstPort', 'dir', 'iface', 'replied', 'timeAlt', 'phase']) {
            expect(k in b, k).toBe(r[k] !== undefined)
            if (r[k] !== undefined) expect(Object.is(b[k], r[k]) || (typeof r[k] === 'object' && JSON.stringify(b[k]) === JSON.stringify(r[k])), `${k}: ${JSON.stringify(b[k])} for ${JSON.stringify(r[k])}`).toBe(true)
          }
          expect(b.evidence).toStrictEqual(e.evidence)
        })
      }),
      {numRuns: 60},
    )
  })
})
