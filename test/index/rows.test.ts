import {readdirSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {expandInputs} from '../../src/io/files.js'
import {mtimeYearPolicy} from '../../src/io/inputs.js'
import {readSource} from '../../src/io/source.js'
import {natFormats} from '../../src/nat/registry.js'
import {escapeField, NAT_BLOCK, NAT_COLUMNS, NAT_KINDS, natShapeColumns, natFromColumns, NatRows, quadNumber, quadText, readNatBlock, type NatColumns, type NatPayload} from '../../src/index/rows.js'

const fixtures = resolve(import.meta.dirname, '../fixtures/nat')
const INT = new Set(['seq', 'line', 'kind', 'outside_ip4', 'outside_port', 'outside_port_end', 'inside_port', 'src_ip4', 'dst_ip4'])

/**
 * The TSV rows NatRows writes for these records, read back the way DuckDB's read_csv (tab, no quotes, NULL `\N`),
 * from_base64 and a SELECT would: the key columns of each row, and the block payloads on the rows that carry one.
 */
function written(records: NatEvent[]): {c: NatColumns; payload: NatPayload[] | null}[] {
  const text = new Map<number, string>()
  const rows = new NatRows(7, (t, shape) => text.set(shape, (text.get(shape) ?? '') + t.toString('utf8')))
  for (const e of records) rows.add(e)
  rows.flush()
  // each shape's rows have its columns (natShapeColumns); the others are NULL (loaded BY NAME)
  return [...text]
    .flatMap(([shape, t]) => {
      const names = natShapeColumns(shape)
      return t
        .split('\n')
        .slice(0, -1)
        .map((row) => {
          const fields = row.split('\t')
          expect(fields).toHaveLength(names.length)
          const c: Record<string, unknown> = Object.fromEntries([...NAT_COLUMNS.split(', '), 'payload'].map((k) => [k, null]))
          names.forEach((k, i) => {
            const v = fields[i]!
            c[k] = v === '\\N' ? null : INT.has(k) ? Number.parseInt(v, 10) : k === 'time' ? Number.parseFloat(v) : v
          })
          const p = c.payload as string | null
          return {c: c as unknown as NatColumns, payload: p === null ? null : readNatBlock(Buffer.from(p, 'base64'))}
        })
    })
    .sort((a, b) => a.c.seq - b.c.seq)
}

/** Records written and read back as an indexed lookup does: each row with the payload of its block. */
function roundTrip(records: NatEvent[], file: string): NatEvent[] {
  const rows = written(records)
  const blocks = new Map<number, NatPayload[]>()
  for (const r of rows) if (r.payload) blocks.set(r.c.seq / NAT_BLOCK, r.payload)
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
      const rows = written(records)
      expect(rows.map((r) => r.c.seq)).toEqual(records.map((_, i) => i))
      expect(rows.filter((r) => r.payload !== null).map((r) => r.c.seq)).toEqual(records.map((_, i) => i).filter((i) => i % NAT_BLOCK === 0))
      expect(roundTrip(records, file!.display)).toStrictEqual(JSON.parse(JSON.stringify(records)) as NatEvent[])
      seen += records.length
    }
    expect(seen).toBeGreaterThan(100)
    expect(formats.size).toBeGreaterThanOrEqual(12)
  })

  it('give back the records of a file longer than one block, each from the payload block of its seq', () => {
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
    expect(written(records).filter((r) => r.payload !== null)).toHaveLength(3)
    expect(roundTrip(records, 'f')).toStrictEqual(records)
    // IPv6 and IPv4 public addresses mixed (rows of two TSVs), a block's first record either of them
    const mixed = records.map((e, i) => (i % 3 === 0 || i === NAT_BLOCK + 1 ? {...e, outsideIp: `2001:db8::${i.toString(16)}`} : e))
    const rows = written(mixed)
    expect(rows.filter((r) => r.payload !== null).map((r) => [r.c.seq, r.c.outside_ip !== null])).toEqual([[0, true], [NAT_BLOCK, false], [2 * NAT_BLOCK, false]])
    expect(roundTrip(mixed, 'f')).toStrictEqual(mixed)
  })

  it('keep tabs, newlines, backslashes and the `\\N` text of an evidence line and addresses, and null against absent fields', () => {
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
    expect(roundTrip([e], 'f')[0]).toStrictEqual(e)
    expect(roundTrip([{...e, evidence: {file: 'f', line: 3, text: '\\N', role: 'packet'}}], 'f')[0]!.evidence).toStrictEqual({file: 'f', line: 3, text: '\\N', role: 'packet'})
  })
  it('give back a string found in the line beyond what a text reference reaches, and the empty string', () => {
    const far = `${'x'.repeat(70_000)} 100.64.0.9`
    const e = {kind: 'mapping', time: 1, insideIp: '100.64.0.9', insidePort: 1, outsideIp: '198.51.100.20', outsidePort: 2, outsidePortEnd: null, destIp: '', destPort: null, protocol: 'x'.repeat(66_000), subscriber: null, end: null, evidence: {file: 'f', line: 1, text: far}} as unknown as NatEvent
    expect(roundTrip([e, {...e, evidence: {file: 'f', line: 2, text: 'no 100.64.0.9 here'}}], 'f')).toStrictEqual([e, {...e, evidence: {file: 'f', line: 2, text: 'no 100.64.0.9 here'}}])
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
  it('write the key columns as `${value}` and escapeField would, whatever the values (property)', () => {
    // the text a row's key fields would be as template strings (what DuckDB's read_csv parses)
    const field = (v: string | number | null | undefined) => (v === null || v === undefined ? '\\N' : typeof v === 'string' ? escapeField(v) : `${v}`)
    // (text of odd characters: what escapeField escapes, other control characters, non-ASCII, a surrogate pair)
    const odd = fc.string({maxLength: 12, unit: fc.constantFrom('\\', '\t', '\n', '\r', '\x01', '\x7f', 'N', 'a', '1', '.', ':', ' ', 'é', '😀')})
    const ip = fc.oneof(fc.constant(null), odd, fc.string({maxLength: 20, unit: 'grapheme'}), fc.string({maxLength: 20, unit: 'binary'}), fc.ipV4(), fc.ipV6())
    const port = fc.oneof(fc.constant(null), fc.integer({min: 0, max: 65535}), fc.integer())
    const record = fc.record({
      time: fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31), 1e9 - 1, 1e9, 1e9 + 7, 1774882801014, 1774882801000, -0)),
      line: fc.nat(),
      kind: fc.constantFrom(...NAT_KINDS),
      outsideIp: ip,
      outsidePort: port,
      outsidePortEnd: port,
      insidePort: port,
      srcIp: fc.option(ip, {nil: undefined}),
      dstIp: fc.option(ip, {nil: undefined}),
    })
    fc.assert(
      fc.property(fc.array(record, {minLength: 1, maxLength: 40}), (rs) => {
        const parts: [Buffer, number][] = []
        const rows = new NatRows(7, (b, shape) => parts.push([b, shape]))
        rs.forEach(({line, ...r}) => rows.add({...r, protocol: null, insideIp: null, destIp: null, destPort: null, subscriber: null, end: null, evidence: {file: 'f', line, text: 'x'}} as unknown as NatEvent))
        rows.flush()
        // each row, by its seq (the second field): its text and the columns of its shape
        const got = new Map<number, [string, string[]]>()
        for (const [b, shape] of parts) for (const row of b.toString('utf8').split('\n').slice(0, -1)) got.set(Number(row.split('\t')[1]), [row, natShapeColumns(shape)])
        expect(got.size).toBe(rs.length)
        const quad = (v: string | null | undefined) => typeof v === 'string' && /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v)
        rs.forEach((r, i) => {
          // an address: a canonical dotted quad as its number (the …4 column), anything else as text; a row has
          // the key columns of the values it has, and the payload column (`\N` but on the first row of a block)
          const ip = (k: string, v: string | null | undefined): [string, unknown][] => (v === null || v === undefined ? [] : quad(v) ? [[`${k}4`, v.split('.').reduce((a, x) => a * 256 + Number(x), 0)]] : [[k, v]])
          const opt = (k: string, v: unknown): [string, unknown][] => (v === null || v === undefined ? [] : [[k, v]])
          const want: [string, unknown][] = [
            ['file_id', 7], ['seq', i], ['line', r.line], ['time', r.time], ['kind', NAT_KINDS.indexOf(r.kind)],
            ...ip('outside_ip', r.outsideIp), ...opt('outside_port', r.outsidePort), ...opt('outside_port_end', r.outsidePortEnd), ...opt('inside_port', r.insidePort),
            ...ip('src_ip', r.srcIp), ...ip('dst_ip', r.dstIp),
          ]
          const [row, columns] = got.get(i)!
          expect(columns).toEqual([...want.map(([k]) => k), 'payload'])
          const keys = want.map(([, v]) => field(v as string | number)).join('\t')
          expect(row.slice(0, row.lastIndexOf('\t'))).toBe(keys)
          if (i % NAT_BLOCK !== 0) expect(row.slice(row.lastIndexOf('\t') + 1)).toBe('\\N')
        })
      }),
      {numRuns: 200},
    )
  })
  it('give back any values of the payload fields exactly, whatever their type (property)', () => {
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
    fc.assert(
      fc.property(fc.array(record, {minLength: 1, maxLength: NAT_BLOCK + 40}), (rs) => {
        const records = rs.map(({role, text: t, weave, ...v}, i) => {
          const text = weave ? [t, ...Object.values(v), role].filter((x) => typeof x === 'string').join(' ') : t
          const e: Record<string, unknown> = {kind: 'mapping', time: 1774904400000 + i, insidePort: 1, outsideIp: '198.51.100.20', outsidePort: 2, outsidePortEnd: null, ...v}
          e.evidence = role === undefined ? {file: 'f', line: i + 1, text} : {file: 'f', line: i + 1, text, role}
          return e as unknown as NatEvent
        })
        const back = roundTrip(records, 'f')
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
