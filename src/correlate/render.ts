/**
 * The readable text form of an attribution (what `natrace attribute` prints without --json). Every string
 * that came from a report or a log goes through stripControls: report text is untrusted.
 */
import type {AttributionResult, Candidate, Evidence, IncidentOut} from '../model.js'
import {stripControls} from '../io/sanitize.js'
import {formatInZone} from '../io/time.js'

const s = (t: string | null | undefined) => stripControls(t ?? '')

function evidenceLines(ev: Evidence[], indent: string, max = 12): string[] {
  const out = ev.slice(0, max).map((e) => `${indent}${s(e.file)}:${e.line}  ${s(e.text).slice(0, 400)}`)
  if (ev.length > max) out.push(`${indent}… ${ev.length - max} more line(s) in --json`)
  return out
}

function who(c: {insideIp: string | null; insidePort: number | null; mac: string | null; hostname: string | null; subscriber: string | null}): string {
  const parts = [`${c.insideIp ?? '?'}${c.insidePort !== null ? `:${c.insidePort}` : ''}`]
  if (c.mac) parts.push(`mac ${c.mac}`)
  if (c.hostname) parts.push(`host ${s(c.hostname)}`)
  if (c.subscriber) parts.push(`subscriber ${s(c.subscriber)}`)
  return parts.join('  ')
}

function candidateLine(c: Candidate): string[] {
  const off = c.offsetSeconds !== null ? `  offset ${c.offsetSeconds >= 0 ? '+' : ''}${c.offsetSeconds} s` : ''
  return [`    - ${who(c)}${off}`, `      ${s(c.reason)}`, ...evidenceLines(c.evidence, '        ', 4)]
}

function incidentBlock(inc: IncidentOut, i: number, total: number, zone: string): string[] {
  const utc = formatInZone(Date.parse(inc.time), 'UTC')
  const dest = inc.destIp ?? inc.destIpMasked ?? '?'
  const lines = [
    `Incident ${i + 1}/${total}  ${s(inc.reportedTime)}  =  ${utc}${inc.times.length > 1 ? `  (${inc.times.length} reported instants)` : ''}`,
    `  ${inc.publicIp ?? '?'}:${inc.publicPort ?? '?'} → ${s(dest)}:${inc.destPort ?? '?'}${inc.protocol ? ` ${inc.protocol}` : ''}${inc.portRole && inc.portRole !== 'source' ? `  (reported port is a ${inc.portRole} port)` : ''}`,
  ]
  if (inc.logTime) lines.push(`  on our clock: ${formatInZone(Date.parse(inc.logTime), zone)}`)
  const a = inc.attribution
  const status = a.status === 'attributed' ? 'ATTRIBUTED' : a.status === 'ambiguous' ? 'AMBIGUOUS' : 'NOT FOUND'
  lines.push(`  ${status}${a.status === 'attributed' ? ` (confidence ${a.confidence})  ${who(a)}` : a.insideIp ? `  inside ${a.insideIp}${a.insidePort !== null ? `:${a.insidePort}` : ''}` : ''}`)
  lines.push(`  why: ${s(a.reason)}`)
  if (a.evidence.length) lines.push('  evidence:', ...evidenceLines(a.evidence, '    '))
  if (a.status !== 'attributed' && a.candidates.length) {
    lines.push(`  candidates (${a.candidates.length}):`)
    for (const c of a.candidates) lines.push(...candidateLine(c))
  }
  lines.push(`  reported as: ${inc.raw.split(/\r?\n/).slice(0, 6).map((l) => s(l).slice(0, 300)).join('\n               ')}`)
  return lines
}

export function renderAttributionText(r: AttributionResult): string {
  const out: string[] = []
  const rep = r.report
  out.push(`Report ${s(rep.file)}  (format ${rep.format})`)
  out.push(`  reporter: ${s(rep.reporter) || '?'}   ticket: ${s(rep.ticket) || '-'}`)
  if (rep.subject) out.push(`  subject: ${s(rep.subject)}`)
  out.push(`  reported times read in ${rep.zone}`)
  if (r.clockOffsetSeconds !== null) out.push(`  clock offset (our logs − reporter): ${r.clockOffsetSeconds >= 0 ? '+' : ''}${r.clockOffsetSeconds} s`)
  out.push('')
  r.incidents.forEach((inc, i) => {
    out.push(...incidentBlock(inc, i, r.incidents.length, rep.zone), '')
  })
  if (r.clients.length) {
    out.push('Clients:')
    for (const c of r.clients)
      out.push(`  ${who({...c, insidePort: null})}  — incident(s) ${c.incidents.map((n) => n + 1).join(', ')}, ${c.firstSeen} … ${c.lastSeen}`)
    out.push('')
  }
  if (r.assumptions.length) {
    out.push('Assumptions:')
    for (const a of r.assumptions) out.push(`  - ${s(a.text)}`)
    out.push('')
  }
  if (r.warnings.length) {
    out.push('Warnings:')
    for (const w of r.warnings) out.push(`  - ${s(w)}`)
    out.push('')
  }
  const n = (st: string) => r.incidents.filter((i) => i.attribution.status === st).length
  out.push(`Summary: ${n('attributed')} attributed, ${n('ambiguous')} ambiguous, ${n('not-found')} not found, of ${r.incidents.length} incident(s)`)
  return out.join('\n')
}
