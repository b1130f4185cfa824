import {readdirSync, statSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {NatEvent} from '../../src/model.js'
import {expandInputs} from '../../src/io/files.js'
import {mtimeYearPolicy} from '../../src/io/inputs.js'
import {readSource} from '../../src/io/source.js'
import {natFormats} from '../../src/nat/registry.js'
import {NAT_BLOCK, NAT_COLUMNS, natBlockRow, natFromColumns, natPayload, natRow, readNatBlock, type NatColumns} from '../../src/index/rows.js'

const fixtures = resolve(import.meta.dirname, '../fixtures/nat')
const INT = new Set(['seq', 'line', 'outside_port', 'outside_port_end', 'inside_port'])

/** A TSV row read back the way DuckDB's COPY (DELIMITER tab, no quotes, NULL `\N`) and a SELECT would. */
function columns(row: string): NatColumns {
  const names = NAT_COLUMNS.split(', ')
  const fields = row.replace(/\n$/, '').split('\t')
  expect(fields).toHaveLength(names.length)
  const c: Record<string, unknown> = {}
  names.forEach((k, i) => {
    const v = fields[i]!
    c[k] = v === '\\N' ? null : INT.has(k) ? Number.parseInt(v, 10) : k === 'time' ? Number.parseFloat(v) : v
  })
  return c as unknown as NatColumns
}

/** A block row's payloads as DuckDB's from_base64 and a SELECT of the BLOB would give them back. */
function block(row: string) {
  const fields = row.replace(/\n$/, '').split('\t')
  expect(fields).toHaveLength(3)
  return readNatBlock(Buffer.from(fields[2]!, 'base64'))
}

/** One record written to both tables and read back. */
const roundTrip = (e: NatEvent, file: string) => natFromColumns(columns(natRow(1, 0, e)), block(natBlockRow(1, 0, [natPayload(e)]))[0]!, file)

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
      // the file's records in blocks of NAT_BLOCK, each row matched with its payload by seq
      const payloads = records.map(natPayload)
      const blocks = new Map<number, ReturnType<typeof block>>()
      for (let k = 0; k * NAT_BLOCK < payloads.length; k++) blocks.set(k, block(natBlockRow(7, k, payloads.slice(k * NAT_BLOCK, (k + 1) * NAT_BLOCK))))
      records.forEach((e, seq) => {
        const c = columns(natRow(7, seq, e))
        expect(c.seq).toBe(seq)
        const back = natFromColumns(c, blocks.get(Math.floor(c.seq / NAT_BLOCK))![c.seq % NAT_BLOCK]!, e.evidence.file)
        const want = JSON.parse(JSON.stringify(e)) as NatEvent
        expect(back).toStrictEqual(want)
        seen++
      })
    }
    expect(seen).toBeGreaterThan(100)
    expect(formats.size).toBeGreaterThanOrEqual(12)
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
    expect(roundTrip(e, 'f')).toStrictEqual(e)
    expect(roundTrip({...e, evidence: {file: 'f', line: 3, text: '\\N', role: 'packet'}}, 'f').evidence).toStrictEqual({file: 'f', line: 3, text: '\\N', role: 'packet'})
  })
})
