/**
 * Auto-detection across every NAT format in the registry and every NAT fixture: a fixture under
 * test/fixtures/nat/<format>/ is claimed by <format> (the best score, ≥ 0.5) and by no other format.
 * Fixtures that are deliberately noise-only or damaged are listed with the reason.
 */
import {readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'
import {detectFormat} from '../../src/io/format.js'
import {natFormats} from '../../src/nat/registry.js'
import {fixtureLines} from './helpers.js'

const base = new URL('../fixtures/nat/', import.meta.url).pathname

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : [p]
  })
}

const fixtures = files(base)
  .map((p) => relative(base, p))
  .sort()

/** Fixtures whose owner need not reach 0.5 (mostly other daemons' lines or broken on purpose). */
const WEAK_OWNER = new Set(['cisco-asa/damaged.log', 'ipfw/mixed-messages/messages'])

describe('NAT format detection', () => {
  it('has fixtures for every registered format', () => {
    const owners = new Set(fixtures.map((f) => f.split('/')[0]))
    for (const f of natFormats) expect(owners.has(f.name), f.name).toBe(true)
  })

  for (const rel of fixtures) {
    const owner = rel.split('/')[0]!
    it(`${rel}: claimed by ${owner} and by no other format`, () => {
      const sample = fixtureLines(rel).slice(0, 200)
      for (const f of natFormats) {
        if (f.name === owner) continue
        expect(f.detect(sample), `${f.name} claims ${rel}`).toBeLessThan(0.5)
      }
      const best = detectFormat(natFormats, sample)
      if (WEAK_OWNER.has(rel)) expect(best === undefined || best.format.name === owner).toBe(true)
      else expect(best?.format.name, rel).toBe(owner)
    })
  }
})

describe('my formats through readSource (detection, streaming, pre-filter)', () => {
  const src = (rel: string) => {
    const path = join(base, rel)
    return {path, display: rel, size: statSync(path).size, mtimeMs: Date.UTC(2025, 5, 1), compressed: null}
  }
  const opts = {zone: 'UTC', year: {anchorMs: Date.UTC(2025, 5, 1), mode: 'not-after' as const, anchorWhat: 'test'}}

  it('detects and reads an ASA file, counting malformed lines with their numbers', async () => {
    const {readSource} = await import('../../src/io/source.js')
    const r = await readSource(src('cisco-asa/damaged.log'), natFormats, opts)
    expect(r.records).toHaveLength(0)
    expect(r.malformed.lines).toEqual([1, 2, 3])
  })

  it('reads only the lines holding a needle when pre-filtering, with their true line numbers', async () => {
    const {readSource} = await import('../../src/io/source.js')
    const r = await readSource(src('cisco-asa/branch-office-pat.log'), natFormats, {...opts, needles: ['203.0.113.40']})
    expect(r.format).toBe('cisco-asa')
    expect(r.prefiltered).toBe(true)
    expect(r.records.map((e) => e.evidence.line)).toEqual([1, 2, 5, 6, 7])
  })

  it('reads a mixed Juniper next-gen file (port blocks and sessions) completely', async () => {
    const {readSource} = await import('../../src/io/source.js')
    const r = await readSource(src('juniper-pba/mx-spc3-next-gen.log'), natFormats, opts)
    expect(r.format).toBe('juniper-pba')
    expect(r.records.map((e) => e.kind)).toEqual(['port-block', 'port-block', 'port-block', 'port-block', 'session-start'])
  })
})

describe('hostile lines', () => {
  const mine = natFormats.filter((f) => ['cisco-asa', 'cisco-ios', 'juniper-srx', 'juniper-pba', 'fortigate', 'panos', 'f5-lsn'].includes(f.name))
  const hostile = [
    'Mar 14 2025 09:15:40: %ASA-6-302014: Teardown TCP connection 1 for outside:198.51.100.2/443' + ' (x)'.repeat(40),
    'Mar 14 2025 09:15:40: %ASA-6-305012: Teardown dynamic TCP translation from inside:10.0.0.1/1' + ' (x) y'.repeat(40),
    'Mar 14 10:00:00 mx JSERVICES_SESSION_OPEN: ' + '1:1 '.repeat(2000),
    '<14>1 2025-03-14T10:15:02Z h RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@1 ' + 'a="b" '.repeat(2000),
    'logid="0000000013" type="traffic" ' + 'k=v '.repeat(3000),
    '"lsn_event":"LSN_ADD",' + '"a":"b",'.repeat(3000),
    '%IPNAT-6-CREATED: tcp ' + '1.1.1.1:1 '.repeat(3000),
    'x'.repeat(20_000) + ' %ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.1/1 to outside:203.0.113.1/2',
  ]

  it('are read in bounded time and never throw (no catastrophic backtracking)', () => {
    const ctx = {
      file: {path: 't', display: 't', size: 0, mtimeMs: 0, compressed: null},
      time: new (class {
        wall() {
          return {ms: 0}
        }
        syslog() {
          return {ms: 0}
        }
      })() as never,
      state: {},
      malformed() {},
    }
    const results = mine.map((f) => hostile.map((text) => f.parse({no: 1, text}, ctx)))
    // nothing here is a complete record: every format returns null (or reports the line), none throws or hangs
    for (const r of results) expect(r.every((x) => x === null)).toBe(true)
  })
})

describe('line by line (mixed syslog files, where no single format is detected)', () => {
  /** formats that deliberately read each other's lines */
  const SIBLINGS = new Set(['juniper-srx>juniper-pba', 'juniper-pba>juniper-srx'])

  for (const rel of fixtures) {
    const owner = rel.split('/')[0]!
    it(`${rel}: no other format turns its lines into events`, async () => {
      const {makeCtx} = await import('./helpers.js')
      const lines = fixtureLines(rel).slice(0, 200)
      for (const f of natFormats) {
        if (f.name === owner || SIBLINGS.has(`${f.name}>${owner}`)) continue
        const ctx = makeCtx('UTC', Date.UTC(2025, 5, 1))
        const claimed = lines.map((text, i) => (f.parse({no: i + 1, text}, ctx) === null ? 0 : i + 1)).filter((n) => n > 0)
        expect(claimed, `${f.name} reads lines of ${rel}`).toEqual([])
      }
    })
  }
})
