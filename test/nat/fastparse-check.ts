/**
 * The property of a NAT format whose parse() tries a fast path first (conntrack, ipfw, MikroTik): parse() gives
 * the records the full parser alone gives.
 */
import fc from 'fast-check'
import {expect} from 'vitest'
import type {ParseContext} from '../../src/io/format.js'
import type {Line} from '../../src/io/lines.js'
import type {NatFormat} from '../../src/nat/registry.js'
import {makeCtx, type TestCtx} from './helpers.js'

/**
 * The frame of the fast-path properties: for arrays of generated lines in each zone, `run` reads them on two
 * contexts (`a` the full parser's, `b` the fast path's), compares what it must and returns how many lines the fast
 * path read itself; then both contexts must hold the same malformed reports and clock state (DST counters, years),
 * and the fast path must have read at least `minFastShare` of all lines (the comparison covers it, not only its
 * fall-backs).
 */
export function assertOnTwoContexts(lines: fc.Arbitrary<string[]>, zones: string[], run: (ls: string[], a: TestCtx, b: TestCtx) => number, minFastShare = 0.1): void {
  let fast = 0
  let total = 0
  fc.assert(
    fc.property(lines, fc.constantFrom(...zones), (ls, zone) => {
      const a = makeCtx(zone, Date.UTC(2024, 11, 31, 12))
      const b = makeCtx(zone, Date.UTC(2024, 11, 31, 12))
      fast += run(ls, a, b)
      total += ls.length
      expect(b.bad).toEqual(a.bad)
      expect([b.time.clock.repeated, b.time.clock.gaps, [...b.time.yearsUsed]]).toEqual([a.time.clock.repeated, a.time.clock.gaps, [...a.time.yearsUsed]])
    }),
    {numRuns: 400},
  )
  expect(fast / total).toBeGreaterThan(minFastShare)
}

/**
 * parse() (fast path first) against the full parser alone: the records must be equal field for field and in the
 * same key order (JSON output); `fastRead(ctx, lineNo)` tells whether the fast path read that line.
 */
export function assertParseEqualsFull(
  format: NatFormat,
  parseFull: (line: Line, ctx: ParseContext) => unknown,
  lines: fc.Arbitrary<string[]>,
  zones: string[],
  fastRead: (ctx: ParseContext, lineNo: number) => boolean,
  minFastShare = 0.1,
): void {
  assertOnTwoContexts(
    lines,
    zones,
    (ls, a, b) => {
      let fast = 0
      ls.forEach((text, i) => {
        const want = parseFull({no: i + 1, text}, a)
        const got = format.parse({no: i + 1, text}, b)
        expect(got).toStrictEqual(want)
        expect(JSON.stringify(got)).toBe(JSON.stringify(want))
        if (got !== null && fastRead(b, i + 1)) fast++
      })
      return fast
    },
    minFastShare,
  )
}
