/**
 * The internal evidence pack (evidence.md + evidence.json): the report, every assumption, the evidence chain
 * (file:line + raw line), SHA-256 of every input file, and the decision per incident. What an operator keeps
 * for the legal retention period and hands over if a court orders it. Never sent to the reporter.
 */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import type {AttributionResult, Evidence} from '../model.js'
import {stripControls, oneLineSafe} from '../io/sanitize.js'
import type {DecidedIncident, FinalClient} from './decide.js'
import {utcText, zoneText} from './view.js'

export interface FileHash {
  file: string
  sha256: string | null
  bytes: number | null
  /** why the hash could not be computed */
  error?: string
}

/** SHA-256 of a file, streamed (logs can be gigabytes). Errors are recorded, not thrown. */
export async function hashFile(file: string): Promise<FileHash> {
  try {
    const st = await stat(file)
    if (!st.isFile()) return {file, sha256: null, bytes: null, error: 'not a regular file'}
    const h = createHash('sha256')
    await new Promise<void>((resolve, reject) => {
      const s = createReadStream(file)
      s.on('data', (chunk) => h.update(chunk))
      s.on('error', reject)
      s.on('end', () => resolve())
    })
    return {file, sha256: h.digest('hex'), bytes: st.size}
  } catch (err) {
    return {file, sha256: null, bytes: null, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message}
  }
}

/** Hashes the report and every input file named in the result (each file once). */
export async function hashInputs(result: AttributionResult, reportSource?: string): Promise<Map<string, FileHash>> {
  const files = new Set<string>([reportSource ?? result.report.file, ...result.inputs.nat.map((i) => i.file), ...result.inputs.leases.map((i) => i.file)])
  const out = new Map<string, FileHash>()
  for (const f of files) if (f) out.set(f, await hashFile(f))
  return out
}

export interface EvidenceContext {
  result: AttributionResult
  decided: DecidedIncident[]
  clients: FinalClient[]
  hashes?: Map<string, FileHash>
  reportSource?: string
  replyLanguage: string
  noticeLanguage: string
  /** file names of the drafts, relative to the output directory */
  drafts: {reply: string; notices: string[]}
  warnings: string[]
  generatedAt: number
  version: string
}

function ev(e: Evidence): Evidence {
  return {file: e.file, line: e.line, text: stripControls(e.text), ...(e.role ? {role: e.role} : {})}
}

function hashOf(ctx: EvidenceContext, file: string): FileHash | null {
  return ctx.hashes?.get(file) ?? null
}

export function evidenceJson(ctx: EvidenceContext): object {
  const {result} = ctx
  const reportFile = ctx.reportSource ?? result.report.file
  const withHash = <T extends {file: string}>(i: T) => {
    const h = hashOf(ctx, i.file)
    return {...i, sha256: h?.sha256 ?? null, bytes: h?.bytes ?? null, ...(h?.error ? {hashError: h.error} : {})}
  }
  return {
    natrace: ctx.version,
    generatedAt: new Date(ctx.generatedAt).toISOString(),
    report: {...result.report, file: reportFile, sha256: hashOf(ctx, reportFile)?.sha256 ?? null, bytes: hashOf(ctx, reportFile)?.bytes ?? null},
    inputs: {nat: result.inputs.nat.map(withHash), leases: result.inputs.leases.map(withHash)},
    assumptions: result.assumptions,
    clockOffsetSeconds: result.clockOffsetSeconds,
    incidents: ctx.decided.map((d) => ({
      index: d.index,
      time: d.incident.time,
      times: d.incident.times,
      reportedTime: d.incident.reportedTime,
      publicIp: d.incident.publicIp,
      publicPort: d.incident.publicPort,
      portRole: d.incident.portRole,
      destIp: d.incident.destIp,
      destPort: d.incident.destPort,
      protocol: d.incident.protocol,
      raw: stripControls(d.incident.raw),
      attribution: {...d.original, evidence: d.original.evidence.map(ev), candidates: d.original.candidates.map((c) => ({...c, evidence: c.evidence.map(ev)}))},
      decision: {
        by: d.decidedBy,
        action: d.decision?.action ?? null,
        note: d.decision?.note ?? null,
        status: d.final.status,
        outcome: d.outcome,
        insideIp: d.final.insideIp,
        insidePort: d.final.insidePort,
        mac: d.final.mac,
        hostname: d.final.hostname,
        subscriber: d.final.subscriber,
        reason: d.final.reason,
        evidence: d.final.evidence.map(ev),
        askedReporterFor: d.missing,
      },
    })),
    clients: ctx.clients.map(({n, ...c}) => ({notice: n, ...c})),
    drafts: {replyLanguage: ctx.replyLanguage, noticeLanguage: ctx.noticeLanguage, ...ctx.drafts},
    warnings: [...result.warnings, ...ctx.warnings],
  }
}

/** A code fence longer than any backtick run in the text, so log lines cannot break out of it. */
function fence(lines: string[]): string {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))))
  const f = '`'.repeat(longest + 1)
  return [f, ...lines, f].join('\n')
}

/** Markdown table cell: one line, pipes escaped. */
function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—'
  return oneLineSafe(String(v)).replace(/\|/g, '\\|')
}

function evidenceLines(list: Evidence[]): string[] {
  return list.map((e) => `${e.file}:${e.line}${e.role ? ` [${oneLineSafe(e.role)}]` : ''}  ${oneLineSafe(e.text)}`)
}

export function evidenceMarkdown(ctx: EvidenceContext): string {
  const {result} = ctx
  const r = result.report
  const zone = r.zone || 'UTC'
  const reportFile = ctx.reportSource ?? r.file
  const rh = hashOf(ctx, reportFile)
  const out: string[] = []
  out.push(`# natrace evidence pack${r.ticket ? ` — ${cell(r.ticket)}` : ''}`, '')
  out.push(`Generated ${utcText(ctx.generatedAt)} by natrace ${ctx.version}. Internal document: it names customers; do not forward it to the reporter.`, '')
  out.push('## Report', '')
  out.push('| field | value |', '|---|---|')
  out.push(`| file | ${cell(reportFile)} |`)
  out.push(`| SHA-256 | ${cell(rh?.sha256 ?? (ctx.hashes ? `not computed (${rh?.error ?? 'missing'})` : 'computed when written'))} |`)
  out.push(`| format | ${cell(r.format)} |`, `| reporter | ${cell(r.reporter)} |`, `| ticket | ${cell(r.ticket)} |`, `| subject | ${cell(r.subject)} |`)
  out.push(`| Message-ID | ${cell(r.messageId)} |`, `| from | ${cell(r.from)} |`, `| reply/copy to | ${cell(r.replyTo.join(', '))} |`)
  out.push(`| date | ${cell(r.date)} |`, `| language | ${cell(r.language)} |`, `| reporter's zone | ${cell(zone)} |`, '')
  out.push('## Inputs', '')
  out.push('| file | format | zone | first | last | records | malformed | SHA-256 |', '|---|---|---|---|---|---|---|---|')
  for (const i of [...result.inputs.nat, ...result.inputs.leases]) {
    const h = hashOf(ctx, i.file)
    const sha = h?.sha256 ?? (ctx.hashes ? `not computed (${h?.error ?? 'missing'})` : 'computed when written')
    out.push(
      `| ${cell(i.file)} | ${cell(i.format)}${i.skipped ? ` (skipped: ${cell(i.skipped)})` : ''} | ${cell(`${i.zone} (${i.zoneHow})`)} | ${cell(i.firstTime)} | ${cell(i.lastTime)} | ${i.records} | ${i.malformed} | ${cell(sha)} |`,
    )
  }
  out.push('', '## Assumptions', '')
  if (result.assumptions.length === 0) out.push('- none recorded')
  for (const a of result.assumptions) out.push(`- **${cell(a.kind)}**${a.file ? ` (${cell(a.file)})` : ''}: ${oneLineSafe(a.text)}`)
  if (result.clockOffsetSeconds !== null && !result.assumptions.some((a) => a.kind === 'clock-offset')) out.push(`- **clock-offset**: our logs run ${result.clockOffsetSeconds} s from the reporter's clock (log − reporter)`)
  out.push('', '## Incidents', '')
  for (const d of ctx.decided) {
    const inc = d.incident
    const t = Date.parse(inc.time)
    out.push(`### Incident ${d.index + 1}: ${d.final.status}${d.decidedBy === 'operator' ? ` (operator ${d.decision?.action ?? ''})` : ''}`, '')
    out.push(`- reported: ${utcText(t)} = ${zoneText(t, zone)}; as written: ${cell(inc.reportedTime)}${inc.times.length > 1 ? `; ${inc.times.length} reported instants, last ${inc.times[inc.times.length - 1]}` : ''}`)
    out.push(`- public ${cell(inc.publicIp)}:${cell(inc.publicPort)}${inc.portRole ? ` (${inc.portRole} port)` : ''} → ${cell(inc.destIp)}:${cell(inc.destPort)} ${cell(inc.protocol)}`)
    out.push('- report line(s):', '', fence(stripControls(inc.raw).split(/\r?\n/)), '')
    out.push(`- natrace: **${d.original.status}** (confidence ${d.original.confidence.toFixed(2)}): ${oneLineSafe(d.original.reason)}`)
    if (d.decidedBy === 'operator') out.push(`- operator decision: **${d.decision!.action}**${d.decision!.note ? ` — ${oneLineSafe(d.decision!.note)}` : ''}`)
    out.push(`- final: **${d.final.status}** → reply says: ${d.outcome}${d.missing.length ? `; asks the reporter for: ${d.missing.join(', ')}` : ''}`)
    if (d.final.status === 'attributed') {
      out.push(`- client: inside ${cell(d.final.insideIp)}:${cell(d.final.insidePort)}, MAC ${cell(d.final.mac)}, hostname ${cell(d.final.hostname)}, subscriber ${cell(d.final.subscriber)}`)
    }
    if (d.final.evidence.length) out.push('- evidence chain:', '', fence(evidenceLines(d.final.evidence)), '')
    if (d.original.candidates.length) {
      out.push('- candidates:', '')
      for (const c of d.original.candidates) {
        out.push(`  - ${cell(c.insideIp)}:${cell(c.insidePort)} MAC ${cell(c.mac)} host ${cell(c.hostname)} subscriber ${cell(c.subscriber)} — confidence ${c.confidence.toFixed(2)}: ${oneLineSafe(c.reason)}`)
        const isFinal = d.final.status === 'attributed' && c.insideIp === d.final.insideIp && c.mac === d.final.mac
        if (isFinal) out.push('    (the attributed client: evidence chain above)')
        else if (c.evidence.length) out.push('', fence(evidenceLines(c.evidence).map((l) => `    ${l}`)), '')
      }
    }
    if (d.final !== d.original && d.original.evidence.length && d.original.evidence !== d.final.evidence) {
      out.push("- natrace's original evidence:", '', fence(evidenceLines(d.original.evidence)), '')
    }
    out.push('')
  }
  out.push('## Clients notified', '')
  if (ctx.clients.length === 0) out.push('- none')
  for (const c of ctx.clients) {
    out.push(
      `- notice ${c.n}: inside ${cell(c.insideIp)}, MAC ${cell(c.mac)}, hostname ${cell(c.hostname)}, subscriber ${cell(c.subscriber)}, e-mail ${cell(c.email)}; incidents ${c.incidents.map((i) => i + 1).join(', ')}; ${c.firstSeen} – ${c.lastSeen}`,
    )
  }
  out.push('', '## Drafts', '')
  out.push(`- reply to the reporter (${ctx.replyLanguage}): ${ctx.drafts.reply}`)
  for (const n of ctx.drafts.notices) out.push(`- customer notice (${ctx.noticeLanguage}): ${n}`)
  const warnings = [...result.warnings, ...ctx.warnings]
  if (warnings.length) {
    out.push('', '## Warnings', '')
    for (const w of warnings) out.push(`- ${oneLineSafe(w)}`)
  }
  out.push('')
  return out.join('\n')
}
