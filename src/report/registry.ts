/**
 * Every abuse-report format natrace reads. The one whose detect() scores highest (≥ 0.25) reads the
 * report; generic-text (0.3 whenever an address appears) is the fallback.
 */
import {genericText} from './formats/generic-text.js'
import {registroBr} from './formats/registro-br.js'
import {xarfJson} from './formats/xarf-json.js'
import {xarf} from './formats/xarf.js'
import {shadowserver} from './formats/shadowserver.js'
import {acns} from './formats/acns.js'
import {arf} from './formats/arf.js'
import {spamcop} from './formats/spamcop.js'
import type {ReportFormat, ReportMessage} from './types.js'

export const REPORT_FORMATS: readonly ReportFormat[] = [registroBr, xarfJson, xarf, shadowserver, acns, arf, spamcop, genericText]

export function pickFormat(msg: ReportMessage, formats: readonly ReportFormat[] = REPORT_FORMATS): {format: ReportFormat; score: number} | undefined {
  let best: {format: ReportFormat; score: number} | undefined
  for (const f of formats) {
    let score = 0
    try {
      score = f.detect(msg)
    } catch {
      score = 0
    }
    if (score >= 0.25 && (!best || score > best.score)) best = {format: f, score}
  }
  return best
}
