/**
 * The property of a NAT format whose parse() tries a fast path first (conntrack, ipfw, MikroTik): parse() gives
 * the records the full parser alone gives.
 */
import fc from 'fast-check'
import {expect} from 'vitest'
import type {ParseContext} from '../../src/io/format.js'
import type {Line} from '../../src/io/lines.js'
import type {NatFormat} from '../../src/nat/registry.js'
import {makeCtx} from './helpers.js'

/**
 * For arrays of generated lines in each zone, read line by line on two contexts: `format.parse` on one, `parseFull`
 * on the other. The records must be equal field for field and in the same key order (JSON output), with the same
 * malformed reports and clock state (DST counters, years); and the fast path must have read at least
 * `minFastShare` of the lines itself (`fastRead(ctx, lineNo)`), so the comparison covers it, not only its
 * fall-backs.
 */
export function assertParseEqualsFull(
  format: NatFormat,
  parseFull: (line: Line, ctx: ParseContext) => unknown,
  lines: fc.Arbitrary<string[]>,
  zones: string[],
  fastRead: (ctx: ParseContext, lineNo: number) => boolean,
  minFastShare = 0.1,
): void {
  let fast = 0
  let total = 0
  fc.assert(
    fc.property(lines, fc.constantFrom(...zones), (ls, zone) => {
      const a = makeCtx(zone, Date.UTC(2024, 11, 31, 12))
      const b = makeCtx(zone, Date.UTC(2024, 11, 31, 12))
      ls.forEach((text, i) => {
        const want = parseFull({no: i + 1, text}, a)
        const got = format.parse({no: i + 1, text}, b)
        expect(got).toStrictEqual(want)
        expect(JSON.stringify(got)).toBe(JSON.stringify(want))
        total++
        if (got !== null && fastRead(b, i + 1)) fast++
      })
      expect(b.bad).toEqual(a.bad)
      expect([b.time.clock.repeated, b.time.clock.gaps, [...b.time.yearsUsed]]).toEqual([a.time.clock.repeated, a.time.clock.gaps, [...a.time.yearsUsed]])
    }),
    {numRuns: 400},
  )
  expect(fast / total).toBeGreaterThan(minFastShare)
}
