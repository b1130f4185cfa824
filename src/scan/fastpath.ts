/**
 * The scan fast path: NAT formats with a `scanContact` method (conntrack, ipfw) fill one reused ScanContact
 * per file instead of building a NatEvent and an Evidence object per line; every line the fast path is not
 * sure about goes to the format's full parser, as before. The detector takes both (observeContact / observe)
 * and detects exactly the same (test/scan/fastpath.test.ts).
 */
import type {LineFormat, ParseContext} from '../io/format.js'
import type {Line} from '../io/lines.js'
import type {NatEvent} from '../model.js'
import {reusedContact, ScanContact} from '../nat/contact.js'
import type {NatFormat} from '../nat/registry.js'
import type {ScanDetector} from './detector.js'

export type ScanRecord = NatEvent | ScanContact

/**
 * The formats as `natrace scan` reads them: each format's scan fast path first, its parser for the other lines.
 * A ScanContact is one object per file, filled again for each line: read it in onRecord (keepRecords: false),
 * never keep it.
 */
export function scanFormats(formats: readonly NatFormat[]): LineFormat<ScanRecord>[] {
  return formats.map((f): LineFormat<ScanRecord> => {
    const fast = f.scanContact
    if (!fast) return f
    return {
      ...f,
      parse(line: Line, ctx: ParseContext) {
        return fast.call(f, line, ctx, reusedContact(ctx, 'scanContact')) ?? f.parse(line, ctx)
      },
    }
  })
}

/** onRecord for readSource / readAll: hands a record of either kind to the detector. */
export function feeder(det: ScanDetector): (r: ScanRecord, format: string) => void {
  return (r, format) => {
    if (r instanceof ScanContact) det.observeContact(r, format)
    else det.observe(r, format)
  }
}
