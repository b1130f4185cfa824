import {statSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {readSource} from '../../src/io/source.js'
import type {LeaseEvent, NatEvent, SourceFile} from '../../src/model.js'
import {natFormats} from '../../src/nat/registry.js'
import {leaseFormats} from '../../src/lease/registry.js'

const src = (rel: string): SourceFile => {
  const path = new URL(`../fixtures/nat/${rel}`, import.meta.url).pathname
  return {path, display: rel, size: statSync(path).size, mtimeMs: Date.UTC(2026, 5, 1), compressed: null}
}
const year = {anchorMs: Date.UTC(2026, 5, 1), mode: 'not-after' as const, anchorWhat: 'test'}

describe('readSource streaming', () => {
  it('hands every record to onRecord with the format that read it, and keeps none when asked', async () => {
    const seen: [number, string][] = []
    const r = await readSource<NatEvent>(src('ipfw/campus-gateway-count-log/security'), natFormats, {
      zone: 'UTC',
      year,
      keepRecords: false,
      onRecord: (e, by) => seen.push([e.evidence.line, by]),
    })
    expect(r.records).toEqual([])
    expect(r.recordCount).toBe(15)
    expect(seen).toHaveLength(15)
    expect(new Set(seen.map((s) => s[1]))).toEqual(new Set(['ipfw']))
    expect(r.firstMs).not.toBeNull()
  })

  it('still collects records by default, and counts them', async () => {
    const r = await readSource<NatEvent>(src('conntrack/linux-cgnat-events/events.log'), natFormats, {zone: 'UTC', year})
    expect(r.records).toHaveLength(r.recordCount)
    expect(r.recordCount).toBe(9)
  })
})

describe('readSource pre-filter with a header-driven format (Kea CSV)', () => {
  const kea = (): SourceFile => {
    const path = new URL('../fixtures/lease/kea/kea-leases4.csv', import.meta.url).pathname
    return {path, display: 'kea-leases4.csv', size: statSync(path).size, mtimeMs: Date.UTC(2013, 5, 20), compressed: null}
  }
  const y2013 = {anchorMs: Date.UTC(2013, 5, 20), mode: 'not-after' as const, anchorWhat: 'test'}

  it('keeps the header whatever the needles, so the pre-filtered rows of an address equal the full read of it', async () => {
    const full = await readSource<LeaseEvent>(kea(), leaseFormats, {year: y2013})
    const filtered = await readSource<LeaseEvent>(kea(), leaseFormats, {year: y2013, needles: ['10.30.0.20']})
    expect(filtered.prefiltered).toBe(true)
    const of20 = (rs: LeaseEvent[]) => rs.filter((r) => r.ip === '10.30.0.20').map((r) => [r.event, r.time, r.mac, r.evidence.line])
    expect(of20(filtered.records)).toEqual(of20(full.records))
    expect(of20(filtered.records).length).toBeGreaterThan(2)
    // rows of other addresses were skipped before parsing
    expect(filtered.records.some((r) => r.ip === '10.30.0.21')).toBe(false)
  })
})
