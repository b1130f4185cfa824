/**
 * The secondary screens of the review, as rows: help (key map), info (assumptions, inputs, warnings), draft
 * preview, "drafts written", quit confirmation, and the footer.
 */
import type {AttributionResult} from '../model.js'
import {rule, seg, type Row} from './rows.js'
import {STATUS_COLOR, STATUS_LABEL, STATUS_MARK, formatOffset, safe, safeLines, shortIso, wrapLine, wrapWords} from './text.js'

/** The key map, also the text of the closing note / README. */
export const KEYMAP: Array<[string, string]> = [
  ['↑/↓  k/j', 'previous / next incident (Home/End: first / last)'],
  ['←/→  h/l  Tab', 'previous / next candidate of the incident'],
  ['PgUp/PgDn  K/J', 'scroll the incident details and evidence'],
  ['a', 'accept the chosen candidate; asks your reason when that overrules natrace (ambiguous or another candidate)'],
  ['r', "reject natrace's answer for this incident: nobody is named; asks a reason"],
  ['n', 'add or edit your note on the incident (kept in the evidence pack)'],
  ['u', 'undo your decision and note on the incident'],
  ['d', 'preview the reply to the reporter and the customer notices'],
  ['w', 'write the drafts (same files as `natrace draft`) and show where'],
  ['i', 'all assumptions, inputs and warnings'],
  ['?', 'this help'],
  ['q', 'quit (asks when decisions are not written yet)'],
  ['Ctrl-C', 'leave at once (decisions not written are lost)'],
]

export function helpRows(width: number): Row[] {
  const rows: Row[] = [rule('Help · keys', width, {color: 'cyan'})]
  for (const [k, what] of KEYMAP) {
    wrapWords(what, width - 18).forEach((c, i) => rows.push([seg(i === 0 ? `  ${k.padEnd(16)}` : ' '.repeat(18), {bold: true, color: 'cyan'}), seg(c)]))
  }
  rows.push([])
  rows.push([seg('  In a text prompt: Enter saves, Esc cancels, Ctrl-U clears.', {dim: true})])
  rows.push([
    seg('  Status: '),
    ...(['attributed', 'ambiguous', 'not-found'] as const).flatMap((s) => [
      seg(`${STATUS_MARK[s]} ${STATUS_LABEL[s]}`, {color: STATUS_COLOR[s], bold: true}),
      seg('  '),
    ]),
  ])
  rows.push([seg('  Ambiguous and not-found incidents name nobody unless you accept a candidate.', {dim: true})])
  rows.push([seg('  Esc / ? / q: back', {dim: true})])
  return rows
}

export function infoRows(result: AttributionResult, width: number): Row[] {
  const rows: Row[] = [rule('Report, assumptions and inputs', width, {color: 'cyan'})]
  const r = result.report
  const kv = (k: string, v: string | null | undefined) => rows.push([seg(`  ${k.padEnd(14)}`, {dim: true}), seg(safe(v) || '—')])
  kv('report', r.file)
  kv('format', r.format)
  kv('reporter', r.reporter)
  kv('from', r.from)
  kv('ticket', r.ticket)
  kv('subject', r.subject)
  kv('message-id', r.messageId)
  kv('date', r.date ? shortIso(r.date) : null)
  kv('language', r.language)
  kv('zone', r.zone)
  kv('clock offset', formatOffset(result.clockOffsetSeconds))
  rows.push(rule(`Assumptions (${result.assumptions.length})`, width))
  for (const a of result.assumptions) {
    const chunks = wrapWords(`${safe(a.text)}${a.file ? ` [${safe(a.file)}]` : ''}`, width - 6)
    chunks.forEach((c, i) => rows.push([seg(i === 0 ? '  • ' : '    ', {dim: true}), seg(c)]))
  }
  for (const [fam, list] of [
    ['NAT logs', result.inputs.nat],
    ['Lease sources', result.inputs.leases],
  ] as const) {
    rows.push(rule(`${fam} (${list.length})`, width))
    for (const i of list) {
      rows.push([seg(`  ${safe(i.file)}`, {bold: true, color: 'cyan'}), seg(`  ${safe(i.format) || 'unknown format'}`)])
      if (i.skipped) {
        rows.push([seg('    skipped: ', {color: 'yellow'}), seg(safe(i.skipped))])
        continue
      }
      rows.push([
        seg(`    zone ${safe(i.zone)} (${safe(i.zoneHow)}) · ${i.records} records · ${i.malformed} malformed · `),
        seg(`${shortIso(i.firstTime)} … ${shortIso(i.lastTime)}`),
      ])
    }
  }
  rows.push(rule(`Warnings (${result.warnings.length})`, width))
  for (const w of result.warnings) {
    for (const [j, c] of wrapWords(safe(w), width - 4).entries()) rows.push([seg(j === 0 ? '  ⚠ ' : '    ', {color: 'yellow'}), seg(c)])
  }
  return rows
}

/** What `d` shows: the reply to the reporter and the customer notices as text. */
export interface DraftPreview {
  /** the reply as the reporter will read it (headers and body) */
  replyText: string
  notices: Array<{client: string; text: string}>
  evidenceMd?: string
  /** what to fix before sending (no sender configured, a dropped address, …) */
  warnings?: string[]
}

export interface PreviewTab {
  title: string
  text: string
}

export function previewTabs(p: DraftPreview): PreviewTab[] {
  const warn = p.warnings?.length ? `${p.warnings.map((w) => `⚠ ${w}`).join('\n')}\n\n` : ''
  const tabs: PreviewTab[] = [{title: 'Reply to reporter', text: warn + p.replyText}]
  for (const n of p.notices) tabs.push({title: `Notice ${safe(n.client)}`, text: n.text})
  if (p.notices.length === 0) tabs.push({title: 'Customer notice', text: '(no customer is named, so no notice is drafted)'})
  if (p.evidenceMd) tabs.push({title: 'Evidence pack', text: p.evidenceMd})
  return tabs
}

/** Preview text lines (wrapped at the width), with a tab bar row. */
export function previewRows(tabs: PreviewTab[], tab: number, width: number): {bar: Row; lines: Row[]} {
  const bar: Row = [seg('Preview: ', {bold: true, color: 'cyan'})]
  tabs.forEach((t, i) => {
    bar.push(seg(i === tab ? `[${t.title}]` : ` ${t.title} `, {bold: i === tab, inverse: i === tab}))
    bar.push(seg(' '))
  })
  const cur = tabs[tab] ?? tabs[0]
  const lines: Row[] = []
  for (const l of safeLines(cur?.text ?? '')) for (const c of wrapLine(l, width - 1)) lines.push([seg(c)])
  return {bar, lines}
}

export function writtenRows(files: string[], warnings: string[], dir: string, decisions: number, width: number): Row[] {
  const rows: Row[] = [rule('Drafts written', width, {color: 'green'})]
  rows.push([seg('  into '), seg(safe(dir), {bold: true}), seg(`, with ${decisions} operator decision${decisions === 1 ? '' : 's'}`)])
  for (const f of files) rows.push([seg('  ✔ ', {color: 'green', bold: true}), seg(safe(f))])
  for (const w of warnings) {
    for (const [j, c] of wrapWords(safe(w), width - 4).entries()) rows.push([seg(j === 0 ? '  ⚠ ' : '    ', {color: 'yellow'}), seg(c)])
  }
  rows.push([])
  rows.push([seg('  Review them before sending; nothing was sent. Any key: back', {dim: true})])
  return rows
}

export function confirmQuitRows(unsaved: number, width: number): Row[] {
  return [
    rule('Quit?', width, {color: 'yellow'}),
    [seg(`  ${unsaved} decision${unsaved === 1 ? ' is' : 's are'} not written to the drafts yet.`, {color: 'yellow', bold: true})],
    [],
    [seg('  w', {bold: true, color: 'cyan'}), seg(' write the drafts, then quit')],
    [seg('  y', {bold: true, color: 'cyan'}), seg(' quit without writing')],
    [seg('  Esc / n', {bold: true, color: 'cyan'}), seg(' stay')],
  ]
}

/** The key hints: short first, as many as fit. */
export function keysRow(keys: Array<[string, string]>, width: number): Row {
  const row: Row = []
  let used = 0
  for (const [k, what] of keys) {
    const len = k.length + 1 + what.length + (row.length ? 1 : 0)
    if (used + len > width) break
    if (row.length) row.push(seg(' '))
    row.push(seg(k, {bold: true, color: 'cyan'}), seg(` ${what}`))
    used += len
  }
  return row
}

export const MAIN_KEYS: Array<[string, string]> = [
  ['↑↓', 'incident'],
  ['←→', 'cand'],
  ['a', 'accept'],
  ['r', 'reject'],
  ['n', 'note'],
  ['d', 'preview'],
  ['w', 'write'],
  ['?', 'help'],
  ['q', 'quit'],
  ['u', 'undo'],
  ['i', 'info'],
  ['PgDn', 'scroll'],
]
