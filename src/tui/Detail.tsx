/**
 * The selected incident: what was reported, the engine's answer, its candidates with confidence, the evidence
 * chain of the chosen candidate (file:line and the raw line, lease lines included) and why the others were set
 * aside, and the operator's decision.
 */
import type {Candidate, Evidence, IncidentOut} from '../model.js'
import {isAccepted, type IncidentDecision} from './decisions.js'
import {Rows, rowText, rule, seg, windowRows, type Row, type Seg} from './rows.js'
import {STATUS_COLOR, STATUS_LABEL, formatOffset, hardWrap, hostPort, percent, safe, shortIso, wrapWords} from './text.js'

const STEP_NAME: Record<string, string> = {report: 'report', nat: 'NAT log', lease: 'lease', done: 'final'}

function candidateLabel(c: Candidate): string {
  const parts = [hostPort(c.insideIp, c.insidePort)]
  if (c.mac) parts.push(safe(c.mac))
  if (c.hostname) parts.push(safe(c.hostname))
  if (c.subscriber) parts.push(safe(c.subscriber))
  if (c.email) parts.push(`<${safe(c.email)}>`)
  return parts.join('  ')
}

/** A labelled text that wraps onto indented continuation rows instead of being cut. */
function wrapped(head: Seg[], text: string, width: number, style: Omit<Seg, 'text'> = {}, indent = 4): Row[] {
  const first = rowText(head).length
  const chunks = wrapWords(text, width - indent, first - indent)
  return chunks.map((c, i) => (i === 0 ? [...head, seg(c, style)] : [seg(' '.repeat(indent)), seg(c, style)]))
}

function evidenceRows(ev: Evidence[], width: number): Row[] {
  const rows: Row[] = []
  for (const e of ev) {
    rows.push([
      seg('  '),
      seg(`${safe(e.file)}:${e.line}`, {color: 'cyan', bold: true}),
      seg(e.role ? `  ${safe(e.role)}` : '', {dim: true}),
    ])
    for (const chunk of hardWrap(safe(e.text), width - 4)) rows.push([seg('    '), seg(chunk)])
  }
  return rows
}

/** The candidate the engine named for an attributed incident, else the first. */
export function defaultCandidate(inc: IncidentOut, d?: IncidentDecision): number {
  const cands = inc.attribution.candidates
  if (d?.action === 'accept') {
    const i = cands.findIndex((c) => isAccepted(d, c))
    if (i >= 0) return i
  }
  const a = inc.attribution
  if (a.status === 'attributed') {
    const i = cands.findIndex((c) => c.insideIp === a.insideIp && (c.mac ?? null) === (a.mac ?? null))
    if (i >= 0) return i
  }
  return 0
}

export function detailRows(
  inc: IncidentOut,
  index: number,
  candIdx: number,
  d: IncidentDecision | undefined,
  width: number,
): Row[] {
  return detailView(inc, index, candIdx, d, width).rows
}

/** The rows, and which row shows the chosen candidate (kept in view when the choice moves). */
export function detailView(
  inc: IncidentOut,
  index: number,
  candIdx: number,
  d: IncidentDecision | undefined,
  width: number,
): {rows: Row[]; focus: number} {
  const a = inc.attribution
  const rows: Row[] = []
  const proto = inc.protocol ? `${safe(inc.protocol)} ` : ''
  const destHost = inc.destIp ?? (inc.destIpMasked ? inc.destIpMasked : null)
  const dest = destHost || inc.destPort !== null ? ` → ${hostPort(destHost, inc.destPort)}` : ''
  const role = inc.portRole ? ` (${inc.portRole} port)` : ''
  rows.push(rule(`Incident #${index + 1}`, width))
  rows.push([
    seg(`${shortIso(inc.time)}`, {bold: true}),
    seg(`  reported as ${safe(inc.reportedTime)}`, {dim: true}),
    inc.times.length > 1 ? seg(`  ×${inc.times.length}`, {dim: true}) : seg(''),
  ])
  if (inc.logTime && inc.logTime !== inc.time) rows.push([seg('on our clock ', {dim: true}), seg(shortIso(inc.logTime))])
  rows.push([
    seg(`${proto}${hostPort(inc.publicIp, inc.publicPort)}${role}${dest}`, {bold: true}),
    seg(inc.outsideOurNetworks ? '  not in our networks' : '', {color: 'yellow', bold: true}),
  ])
  const where = a.status !== 'attributed' && a.step ? ` at the ${STEP_NAME[a.step] ?? safe(a.step)} step` : ''
  const verdict = wrapped(
    [seg(`${STATUS_LABEL[a.status]} ${percent(a.confidence)}${where}  `, {color: STATUS_COLOR[a.status], bold: true})],
    safe(a.reason),
    width,
  )
  // an attribution's reason is the chosen candidate's "Why" below: one row here is enough
  if (a.status === 'attributed' && a.candidates.length > 0 && verdict.length > 1) {
    rows.push([...verdict[0]!, seg(' …', {dim: true})])
  } else rows.push(...verdict)
  if (inc.raw) {
    // the reporter's own words, up to two rows (the whole line is in the evidence pack)
    const raw = wrapped([seg('Report: ', {dim: true})], safe(inc.raw), width, {}, 8)
    rows.push(...raw.slice(0, 2))
    if (raw.length > 2) rows[rows.length - 1]!.push(seg(' …', {dim: true}))
  }
  if (d) {
    const what =
      d.action === 'accept'
        ? [seg(`accepted ${safe(d.insideIp)}${d.mac ? ` (${safe(d.mac)})` : ''}`, {color: 'green', bold: true})]
        : d.action === 'reject'
          ? [seg('rejected: nobody is named for this incident', {color: 'red', bold: true})]
          : [seg('no decision yet', {dim: true})]
    rows.push([seg('Operator: ', {bold: true}), ...what])
    if (d.note) rows.push(...wrapped([seg('  note: ', {dim: true})], `“${safe(d.note)}”`, width))
  }

  const cands = a.candidates
  if (cands.length === 0) {
    rows.push([seg('No candidate: nobody can be named for this incident.', {color: 'red'})])
    return {rows, focus: 0}
  }
  rows.push([seg(`Candidates (${cands.length})`, {bold: true}), seg('  ←/→ choose · a accept', {dim: true})])
  let focus = 0
  for (const [i, c] of cands.entries()) {
    const sel = i === candIdx
    if (sel) focus = rows.length
    rows.push([
      seg(sel ? ' ▸ ' : '   ', {bold: true, color: 'cyan'}),
      seg(`${i + 1}) `, {bold: sel}),
      seg(percent(c.confidence).padStart(4), {bold: true, color: c.confidence >= 0.9 ? 'green' : c.confidence > 0 ? 'yellow' : 'red'}),
      seg(isAccepted(d, c) ? ' ✓ accepted' : '', {color: 'green', bold: true}),
      seg('  '),
      seg(candidateLabel(c), {bold: sel, inverse: sel}),
      seg(c.offsetSeconds === null ? '' : `  offset ${formatOffset(c.offsetSeconds)}`, {dim: true}),
    ])
  }
  const c = cands[Math.max(0, Math.min(candIdx, cands.length - 1))]!
  rows.push(rule(`Evidence for ${candIdx + 1}) ${safe(c.insideIp)}`, width, {color: 'cyan'}))
  rows.push(...wrapped([seg('Why: ', {dim: true})], safe(c.reason), width))
  if (c.evidence.length === 0) rows.push([seg('  (no evidence lines)', {dim: true})])
  rows.push(...evidenceRows(c.evidence, width))
  const others = cands.filter((_, i) => i !== candIdx)
  if (others.length > 0) {
    rows.push(rule('Other candidates', width))
    for (const [, o] of others.entries()) {
      const n = cands.indexOf(o) + 1
      rows.push(
        ...wrapped([seg(`${n}) ${hostPort(o.insideIp, o.insidePort)}${o.mac ? ` ${safe(o.mac)}` : ''} ${percent(o.confidence)}: `, {bold: true})], safe(o.reason), width),
      )
    }
  }
  return {rows, focus}
}

export function Detail(props: {
  inc: IncidentOut
  index: number
  candIdx: number
  decision: IncidentDecision | undefined
  width: number
  height: number
  scroll: number
}) {
  const all = detailRows(props.inc, props.index, props.candIdx, props.decision, props.width)
  if (all.length <= props.height) return <Rows rows={all} width={props.width} />
  const w = windowRows(all, props.scroll, props.height - 1)
  const rows = [
    ...w.rows,
    [
      seg(
        `  rows ${w.offset + 1}–${w.offset + w.rows.length} of ${all.length}${w.below ? ' · PgDn more' : ''}${w.above ? ' · PgUp back' : ''}`,
        {dim: true},
      ),
    ],
  ]
  return <Rows rows={rows} width={props.width} />
}
