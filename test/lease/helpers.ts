import {readAll} from '../../src/io/inputs.js'
import {leaseFormats} from '../../src/lease/registry.js'
import type {LeaseEvent} from '../../src/model.js'

export const FIX = new URL('../fixtures/lease/', import.meta.url).pathname

/** Reads fixture paths like the CLI does; the year of syslog stamps is anchored explicitly (git does not keep mtimes). */
export async function readFixture(rel: string | string[], opts: {zone?: string; anchor?: number; format?: string} = {}) {
  const paths = (Array.isArray(rel) ? rel : [rel]).map((r) => FIX + r)
  const res = await readAll<LeaseEvent>(paths, 'lease source', leaseFormats, {
    zone: opts.zone ?? 'America/Sao_Paulo',
    format: opts.format,
    year: {anchorMs: opts.anchor ?? Date.UTC(2013, 5, 20), mode: 'not-after', anchorWhat: 'test anchor'},
  })
  const events = res.results.flatMap((r) => r.records)
  return {...res, events, result: res.results[0]!}
}

export const utc = (s: string) => Date.parse(s)
