/**
 * The incident list: one row per reported event with its status (colour and a text label), the reported
 * public endpoint and time, who the engine named, and what the operator decided.
 */
import type {AttributionResult, IncidentOut} from '../model.js'
import type {DecisionMap, IncidentDecision} from './decisions.js'
import {Rows, rule, seg, windowRows, type Row, type Seg} from './rows.js'
import {STATUS_COLOR, STATUS_LABEL, STATUS_MARK, hostPort, pad, safe, shortIso} from './text.js'

export function decisionTag(d: IncidentDecision | undefined): Seg[] {
  if (!d) return []
  if (d.action === 'accept') return [seg(` [accepted ${safe(d.insideIp)}]`, {color: 'green', bold: true})]
  if (d.action === 'reject') return [seg(' [rejected]', {color: 'red', bold: true})]
  return [seg(' [note]', {color: 'cyan'})]
}

function named(inc: IncidentOut): string {
  const a = inc.attribution
  if (a.status === 'attributed') return `→ ${safe(a.insideIp)}${a.hostname ? ` ${safe(a.hostname)}` : ''}`
  if (a.status === 'ambiguous') return `${a.candidates.length} candidates`
  return ''
}

export function incidentRow(inc: IncidentOut, index: number, selected: boolean, d: IncidentDecision | undefined): Row {
  const st = inc.attribution.status
  const proto = inc.protocol ? ` ${safe(inc.protocol)}` : ''
  return [
    seg(selected ? '▸' : ' ', {bold: true, color: 'cyan'}),
    seg(pad(`#${index + 1}`, 4), {bold: selected, inverse: selected}),
    seg(`${STATUS_MARK[st]} ${pad(STATUS_LABEL[st], 10)}`, {color: STATUS_COLOR[st], bold: true}),
    ...decisionTag(d),
    seg(` ${shortIso(inc.time)} `),
    seg(`${hostPort(inc.publicIp, inc.publicPort)}${proto} `, {bold: selected}),
    seg(inc.outsideOurNetworks ? 'not ours ' : '', {color: 'yellow'}),
    seg(named(inc), {dim: st !== 'attributed'}),
  ]
}

export function incidentListRows(
  result: AttributionResult,
  selected: number,
  decisions: DecisionMap,
  height: number,
  width: number,
): Row[] {
  const counts = {attributed: 0, ambiguous: 0, 'not-found': 0}
  for (const i of result.incidents) counts[i.attribution.status]++
  const title = `Incidents ${result.incidents.length} · ${counts.attributed} attributed · ${counts.ambiguous} ambiguous · ${counts['not-found']} not found`
  const body = result.incidents.map((inc, i) => incidentRow(inc, i, i === selected, decisions.get(i)))
  const h = Math.max(1, height - 1)
  // keep the selection visible, roughly centred
  const w = windowRows(body, selected - Math.floor(h / 2), h)
  const more = w.above || w.below ? ` (${w.offset + 1}–${w.offset + w.rows.length} of ${body.length})` : ''
  return [rule(title + more, width), ...w.rows]
}

export function Incidents(props: {
  result: AttributionResult
  selected: number
  decisions: DecisionMap
  height: number
  width: number
}) {
  return <Rows rows={incidentListRows(props.result, props.selected, props.decisions, props.height, props.width)} width={props.width} />
}
