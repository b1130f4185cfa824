import {statSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {readSource} from '../../src/io/source.js'
import type {NatEvent, SourceFile} from '../../src/model.js'
import {natFormats} from '../../src/nat/registry.js'

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
