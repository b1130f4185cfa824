/** Test helpers for NAT formats: a parse context on a fixed zone/year, and reading a fixture through a format. */
import {readFileSync} from 'node:fs'
import type {ParseContext} from '../../src/io/format.js'
import type {Line} from '../../src/io/lines.js'
import {TimeContext} from '../../src/io/time.js'
import type {NatEvent} from '../../src/model.js'
import type {NatFormat} from '../../src/nat/registry.js'

export interface TestCtx extends ParseContext {
  bad: {line: number; reason: string}[]
}

export function makeCtx(zone = 'UTC', anchor = Date.UTC(2026, 5, 1)): TestCtx {
  const bad: {line: number; reason: string}[] = []
  return {
    file: {path: 'test.log', display: 'test.log', size: 0, mtimeMs: anchor, compressed: null},
    time: new TimeContext({zone, how: 'flag'}, {anchorMs: anchor, mode: 'not-after', anchorWhat: 'test'}),
    state: {},
    bad,
    malformed(line: Line, reason: string) {
      bad.push({line: line.no, reason})
    },
  }
}

/** Every event of the given lines, in order, with the flush at the end. */
export function parseAll(format: NatFormat, lines: string[], ctx: TestCtx = makeCtx()): NatEvent[] {
  const out: NatEvent[] = []
  lines.forEach((text, i) => {
    const r = format.parse({no: i + 1, text}, ctx)
    if (r === null) return
    if (Array.isArray(r)) out.push(...r)
    else out.push(r)
  })
  out.push(...(format.flush?.(ctx) ?? []))
  return out
}

export function fixtureLines(rel: string): string[] {
  const text = readFileSync(new URL(`../fixtures/nat/${rel}`, import.meta.url), 'utf8')
  return text.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''))
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}
