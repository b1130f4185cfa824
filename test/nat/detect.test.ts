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
