/**
 * Text rendering of `natrace leases who|inspect` (untrusted log text stripped of terminal controls).
 */
import {oneLineSafe, stripControls} from '../io/sanitize.js'
import type {InspectResult, WhoHolder, WhoResult} from './who.js'

const s = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '-' : oneLineSafe(v))

function holderLines(h: WhoHolder, indent: string): string[] {
  const out = [
    `${indent}MAC ${s(h.mac)}  host ${s(h.hostname)}  subscriber ${s(h.subscriber)}`,
    `${indent}held ${h.start} .. ${h.end ?? 'no end'} (${h.endHow})`,
  ]
  // a holding renewed every few minutes for weeks has thousands of records: show both ends
  const ev = h.evidence.length > 12 ? [...h.evidence.slice(0, 6), null, ...h.evidence.slice(-5)] : h.evidence
  for (const e of ev) {
    if (e === null) out.push(`${indent}  … ${h.evidence.length - 11} more records (see --json)`)
    else out.push(`${indent}  ${s(e.file)}:${e.line}  [${s(e.role)}] ${oneLineSafe(e.text)}`)
  }
  return out
}

export function renderWho(r: WhoResult): string {
  const out: string[] = []
  out.push(`${r.ip} at ${r.at}  (${r.atAsRead})`)
  out.push(`Status: ${r.status}${r.inGrace ? ' (within the grace after lease end)' : ''}`)
  out.push(`Reason: ${stripControls(r.reason)}`)
  if (r.holders.length) {
    out.push('')
    out.push(r.holders.length === 1 ? 'Holder:' : `Holders (${r.holders.length}, conflicting):`)
    for (const h of r.holders) out.push(...holderLines(h, '  '))
  }
  if (r.history.length) {
    out.push('')
    out.push(`Lease history of ${r.ip} in the sources (${r.history.length} holding${r.history.length === 1 ? '' : 's'}):`)
    for (const h of r.history.slice(-20)) out.push(`  ${h.start} .. ${h.end ?? 'no end'}  ${s(h.mac)}  ${s(h.hostname)}  ${s(h.subscriber)}  (${h.endHow}; ${h.evidenceCount} record(s))`)
    if (r.history.length > 20) out.push(`  … ${r.history.length - 20} older holdings not shown (see --json)`)
  }
  out.push('')
  out.push('Inputs:')
  for (const i of r.inputs) out.push(`  ${s(i.file)}  ${i.format ?? 'not recognised'}  zone ${i.zone} (${i.zoneHow})  ${i.firstTime ?? '-'} .. ${i.lastTime ?? '-'}  ${i.records} events${i.malformed ? `, ${i.malformed} malformed` : ''}`)
  out.push('Assumptions:')
  for (const a of r.assumptions) out.push(`  - ${oneLineSafe(a.text)}`)
  if (r.warnings.length) {
    out.push('Warnings:')
    for (const w of r.warnings) out.push(`  - ${oneLineSafe(w)}`)
  }
  return out.join('\n')
}

export function renderInspect(r: InspectResult): string {
  const out: string[] = []
  for (const f of r.files) {
    out.push(`${s(f.file)}`)
    out.push(`  format:    ${f.format ?? 'not recognised (not used)'}`)
    out.push(`  zone:      ${f.zone} (${f.zoneHow})${f.years.length ? `; syslog year ${f.years.join(', ')}` : ''}`)
    out.push(`  range:     ${f.firstTime ?? '-'} .. ${f.lastTime ?? '-'}`)
    const counts = Object.entries(f.counts).map(([k, v]) => `${k} ${v}`).join(', ')
    out.push(`  events:    ${f.records}${counts ? ` (${counts})` : ''}; ${f.ips} IPs, ${f.macs} MACs; ${f.ignoredLines} other lines`)
    out.push(`  malformed: ${f.malformed}`)
    for (const m of f.malformedFirst) out.push(`    line ${m.line}: ${oneLineSafe(m.reason)}`)
  }
  if (r.assumptions.length) {
    out.push('Assumptions:')
    for (const a of r.assumptions) out.push(`  - ${oneLineSafe(a.text)}`)
  }
  if (r.warnings.length) {
    out.push('Warnings:')
    for (const w of r.warnings) out.push(`  - ${oneLineSafe(w)}`)
  }
  return out.join('\n')
}
