/**
 * Report header: what was reported by whom, and the assumptions the answer rests on (zones, clock offset).
 */
import type {AttributionResult, InputSummary} from '../model.js'

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p
import {Rows, seg, type Row} from './rows.js'
import {formatOffset, safe} from './text.js'

function zonesOf(inputs: InputSummary[]): string {
  const seen = new Map<string, number>()
  for (const i of inputs) {
    if (i.skipped) continue
    const k = `${safe(i.zone)} (${safe(i.zoneHow)})`
    seen.set(k, (seen.get(k) ?? 0) + 1)
  }
  if (seen.size === 0) return 'none read'
  return [...seen.keys()].join(', ')
}

/** The header as rows; `maxRows` ≥ 3. The first rows always carry reporter, ticket, format, zones and offset. */
export function headerRows(result: AttributionResult, maxRows: number): Row[] {
  const r = result.report
  const rows: Row[] = []
  rows.push([
    seg('natrace review', {bold: true, color: 'cyan'}),
    seg(' · reporter '),
    seg(safe(r.reporter) || 'unknown', {bold: true}),
    seg(' · ticket '),
    seg(safe(r.ticket) || 'none', {bold: true}),
    seg(' · '),
    seg(safe(r.format), {bold: true}),
    seg(' · '),
    seg(safe(basename(r.file))),
  ])
  rows.push([
    seg('Clock offset ', {dim: true}),
    seg(formatOffset(result.clockOffsetSeconds), {bold: true}),
    seg(' · zones: ', {dim: true}),
    seg(`report ${safe(r.zone)}`),
    seg(' · '),
    seg(`NAT ${zonesOf(result.inputs.nat)}`),
    seg(' · '),
    seg(`leases ${zonesOf(result.inputs.leases)}`),
  ])
  const subject: Row = [seg('Subject: ', {dim: true}), seg(safe(r.subject) || '(none)')]
  const notes = result.assumptions.map((a) => safe(a.text))
  const warn = result.warnings.length
  const warnSeg = warn > 0 ? [seg(`  ⚠ ${warn} warning${warn === 1 ? '' : 's'}`, {color: 'yellow'})] : []
  const room = maxRows - rows.length - 1
  if (room <= 0) return [...rows, subject].slice(0, maxRows)
  const need = notes.length + (warn > 0 ? 1 : 0)
  if (notes.length > 0 && room >= Math.min(need, 4)) {
    // a tall terminal: the assumptions as a list, as many as fit, the rest behind `i`
    const shown = room >= need ? notes.length : room - 1
    for (const n of notes.slice(0, shown)) rows.push([seg('• ', {dim: true}), seg(n)])
    const more = notes.length - shown
    if (more > 0 || warn > 0) {
      rows.push([
        seg(more > 0 ? `… ${more} more assumption${more === 1 ? '' : 's'}` : '', {dim: true}),
        ...warnSeg,
        seg('  (i: details)', {dim: true}),
      ])
    }
  } else {
    rows.push([
      seg(`Assumptions (${notes.length}, i: all)`, {dim: true}),
      ...warnSeg,
      seg(': ', {dim: true}),
      seg(notes.join(' · ') || 'none'),
    ])
  }
  rows.push(subject)
  return rows
}

export function Header({result, width, maxRows}: {result: AttributionResult; width: number; maxRows: number}) {
  return <Rows rows={headerRows(result, maxRows)} width={width} />
}
