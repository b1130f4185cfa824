/**
 * Live view while the report and the logs are read: per phase the file being read, files done, bytes and lines,
 * rate, ETA and how many NAT records matched an incident so far. Never a frozen screen on gigabytes of logs.
 */
import type {Phase} from '../correlate/options.js'
import {Rows, rule, seg, type Row} from './rows.js'
import {PHASE_ORDER, PHASE_TITLE, bar, viewPhase, type ProgressState} from './progress.js'
import {formatBytes, formatCount, formatDuration, safe} from './text.js'

const SHOWN: Phase[] = PHASE_ORDER.filter((p) => p !== 'done')

export function progressRows(state: ProgressState, now: number, width: number, title: string): Row[] {
  const rows: Row[] = [rule(`natrace review · ${safe(title)}`, width, {color: 'cyan'}), []]
  const current = state.current
  // NAT records matched to an incident: counted while the NAT logs are read, final when the lease step starts
  const matched = Math.max(state.phases.nat?.last.matched ?? 0, state.phases.leases?.first.matched ?? 0)
  for (const ph of SHOWN) {
    const v = viewPhase(state, ph, now)
    if (!v) {
      rows.push([seg('   '), seg(PHASE_TITLE[ph], {dim: true})])
      continue
    }
    const done = v.finished || (current !== null && PHASE_ORDER.indexOf(current) > PHASE_ORDER.indexOf(ph))
    const mark = done ? ' ✔ ' : ' ▸ '
    rows.push([
      seg(mark, {bold: true, color: done ? 'green' : 'cyan'}),
      seg(PHASE_TITLE[ph], {bold: !done}),
      v.filesTotal > 0 ? seg(`  files ${Math.min(v.filesDone + (done ? 0 : 1), v.filesTotal)}/${v.filesTotal}`) : seg(''),
      seg(done ? `  ${formatDuration(v.elapsedMs / 1000)}` : '', {dim: true}),
    ])
    if (ph === 'nat' || ph === 'leases') {
      if (!done && v.file) rows.push([seg('     '), seg(safe(v.file), {color: 'cyan'})])
      if (v.bytesTotal > 0 || v.lines > 0) {
        const pct = v.fraction === null ? '' : `${Math.floor(v.fraction * 100)}%`.padStart(5)
        const rate = v.bytesPerSecond ? `  ${formatBytes(v.bytesPerSecond)}/s` : ''
        const eta = done ? '' : v.etaSeconds === null ? '  ETA ?' : `  ETA ${formatDuration(v.etaSeconds)}`
        rows.push([
          seg('     '),
          seg(bar(done ? 1 : v.fraction, Math.min(32, Math.max(10, width - 60)))),
          seg(pct, {bold: true}),
          seg(`  ${formatBytes(v.bytesRead)} / ${formatBytes(v.bytesTotal)}`),
          seg(rate),
          seg(eta, {bold: true}),
        ])
        const lps = v.linesPerSecond ? ` (${formatCount(Math.round(v.linesPerSecond))}/s)` : ''
        rows.push([
          seg('     '),
          seg(`${formatCount(v.lines)} lines${lps}`),
          ph === 'nat' ? seg(` · ${matched} matched an incident${done ? '' : ' so far'}`, {color: matched > 0 ? 'green' : undefined}) : seg(''),
        ])
      }
    }
  }
  rows.push([])
  rows.push([seg(`elapsed ${formatDuration((now - state.startedAt) / 1000)}`, {dim: true}), seg('  ·  q abort', {dim: true})])
  return rows
}

export function ProgressView(props: {state: ProgressState; now: number; width: number; title: string}) {
  return <Rows rows={progressRows(props.state, props.now, props.width, props.title)} width={props.width} />
}
