/**
 * Reads the same lines through a format's full parser and through the scan fast path (scanFormats: the
 * format's scanContact, the parser for the lines it leaves), and gives both as the detector sees them.
 */
import fc from 'fast-check'
import {expect} from 'vitest'
import type {ParseContext} from '../../src/io/format.js'
import type {NatEvent} from '../../src/model.js'
import {ScanContact} from '../../src/nat/contact.js'
import type {NatFormat} from '../../src/nat/registry.js'
import {scanFormats} from '../../src/scan/fastpath.js'
import {quadKey} from '../../src/io/net.js'
import {assertOnTwoContexts} from '../nat/fastparse-check.js'

const key = (ip: string | null | undefined) => quadKey(ip ?? '')

/** every field the detector (and the evidence of a detection) reads of a record */
export function detectorView(r: NatEvent | ScanContact) {
  return {
    kind: r.kind,
    time: r.time,
    protocol: r.protocol,
    insideIp: r.insideIp,
    insidePort: r.insidePort,
    outsideIp: r.outsideIp,
    outsidePort: r.outsidePort,
    destIp: r.destIp,
    destPort: r.destPort,
    srcIp: r.srcIp ?? null,
    srcPort: r.srcPort ?? null,
    dstIp: r.dstIp ?? null,
    dstPort: r.dstPort ?? null,
    replied: r.replied ?? null,
    /** the int32 address keys the detector's tables use (the fast path gives them, else quadKey of the string) */
    keys:
      r instanceof ScanContact
        ? [r.srcKey, r.dstKey, r.insideKey, r.outsideKey, r.destKey]
        : [key(r.srcIp), key(r.dstIp), key(r.insideIp), key(r.outsideIp), key(r.destIp)],
    /** what the detector decides from "[ASSURED]" in the text (a contact's assured flag spares the search) */
    assuredText: r instanceof ScanContact ? r.assured || r.text.lastIndexOf('[ASSURED]') >= 0 : r.evidence.text.lastIndexOf('[ASSURED]') >= 0,
    evidence: r instanceof ScanContact ? r.evidence() : {file: r.evidence.file, line: r.evidence.line, text: r.evidence.text, role: r.evidence.role},
  }
}

export type View = ReturnType<typeof detectorView>

export interface BothResult {
  full: (View[] | null)[]
  fast: (View[] | null)[]
  /** lines the fast path read itself (without the full parser) */
  fastLines: number[]
}

/** Each line through `format.parse` on ctx `a` and through the scan fast path on ctx `b`, in order. */
export function readBoth(format: NatFormat, lines: string[], a: ParseContext, b: ParseContext): BothResult {
  const wrapped = scanFormats([format])[0]!
  const full: (View[] | null)[] = []
  const fast: (View[] | null)[] = []
  const fastLines: number[] = []
  const view = (r: NatEvent | NatEvent[] | ScanContact | null) => (r === null ? null : Array.isArray(r) ? r.map(detectorView) : [detectorView(r)])
  lines.forEach((text, i) => {
    const line = {no: i + 1, text}
    full.push(view(format.parse(line, a)))
    const r = wrapped.parse(line, b)
    if (r instanceof ScanContact) fastLines.push(i + 1)
    fast.push(view(r as NatEvent | NatEvent[] | ScanContact | null))
  })
  return {full, fast, fastLines}
}

/**
 * The property both fast-path formats must hold: for arrays of generated lines in each zone, the fast path gives
 * the detector what the full parser gives, with the same malformed reports and clock state (DST counters, years),
 * and it reads at least `minFastShare` of the lines itself (the comparison covers the fast path, not only its
 * fall-backs).
 */
export function assertFastEqualsFull(format: NatFormat, lines: fc.Arbitrary<string[]>, zones: string[], minFastShare = 0.1): void {
  assertOnTwoContexts(
    lines,
    zones,
    (ls, a, b) => {
      const r = readBoth(format, ls, a, b)
      expect(r.fast).toEqual(r.full)
      return r.fastLines.length
    },
    minFastShare,
  )
}
