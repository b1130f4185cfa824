/**
 * Text and Markdown digests of `natrace scan`: one block per source (its detections grouped), psad-style
 * port ranges, the client named behind inside sources, and a few evidence lines. Log text is untrusted:
 * control characters are stripped, Markdown cells escaped.
 */
import {oneLineSafe, stripControls} from '../io/sanitize.js'
import type {DetectionOut, ScanResult} from './run.js'

function who(d: DetectionOut): string {
  const s = d.source
  if (s.attribution === 'attributed') return `${s.ip} = ${s.mac}${s.hostname ? ` "${s.hostname}"` : ''}${s.subscriber ? ` subscriber ${s.subscriber}` : ''}`
  if (s.attribution === 'outside') return `${s.ip} (outside)`
  return `${s.ip} (client not named: ${s.attribution})`
}

function bySource(ds: DetectionOut[]): Map<string, DetectionOut[]> {
  const m = new Map<string, DetectionOut[]>()
  for (const d of ds) {
    const k = `${d.source.ip} ${d.direction}`
    const l = m.get(k)
    if (l) l.push(d)
    else m.set(k, [d])
  }
  return m
}

/** One detection as text lines (also what --follow prints per alert). */
export function detectionText(d: DetectionOut, indent = '  '): string[] {
  const lines: string[] = []
  const dir = d.direction === 'out' ? 'outbound (our client scanning out)' : 'inbound (scanning our hosts)'
  lines.push(`${indent}${d.kind === 'p2p' ? 'P2P (not a scan)' : `${d.kind} scan`}, danger level ${d.dangerLevel}, ${dir}`)
  lines.push(`${indent}  ${d.firstSeen} .. ${d.lastSeen}, ${d.packets} packets, ${d.targets.hosts} host(s), ${d.targets.portCount} port(s), ${d.protocols.join('/')}`)
  for (const r of d.targets.portRanges) lines.push(`${indent}  Scanned ${r.protocol.toUpperCase()} ports: ${r.text} (${r.distinct} distinct)`)
  if (d.targets.sampleHosts.length) lines.push(`${indent}  Targets include: ${d.targets.sampleHosts.join(', ')}`)
  for (const s of d.signatures) lines.push(`${indent}  Signature: ${s}`)
  if (d.tcpFlags) lines.push(`${indent}  TCP flags: ${d.tcpFlags.synOnly} SYN-only first contacts, ${d.tcpFlags.withAck} segments with ACK`)
  lines.push(`${indent}  Why: ${d.reason}`)
  if (d.source.attribution !== 'outside') lines.push(`${indent}  Client: ${d.source.attributionReason}`)
  lines.push(`${indent}  Evidence:`)
  for (const e of d.evidence.slice(0, 8)) lines.push(`${indent}    ${e.file}:${e.line}${e.role ? ` [${e.role}]` : ''}  ${e.text}`)
  return lines.map(stripControls)
}

export function renderScanText(r: ScanResult): string {
  const out: string[] = []
  const scans = r.detections.filter((d) => d.kind !== 'p2p')
  const p2p = r.detections.filter((d) => d.kind === 'p2p')
  out.push(`natrace scan: ${r.stats.events} records read, ${scans.length} scan detection(s), ${p2p.length} peer-to-peer client(s) recognised`)
  for (const [, ds] of bySource(scans)) {
    const top = ds.reduce((m, d) => Math.max(m, d.dangerLevel), 0)
    out.push('', stripControls(`Source ${who(ds[0]!)}  [danger ${top}]`))
    for (const d of ds) out.push(...detectionText(d))
  }
  if (p2p.length) {
    out.push('', 'Peer-to-peer clients (not scans):')
    for (const [, ds] of bySource(p2p)) {
      out.push(`  ${stripControls(who(ds[0]!))}:`)
      for (const d of ds) out.push(`    ${d.firstSeen} .. ${d.lastSeen}: ${stripControls(d.reason)}`)
    }
  }
  if (r.explain) {
    out.push('', `Explain ${r.explain.ip}:`)
    for (const w of r.explain.windows) out.push(`  ${w.firstSeen ?? '-'} .. ${w.lastSeen ?? '-'}: ${w.verdict}: ${stripControls(w.reason)}`)
  }
  if (r.assumptions.length) {
    out.push('', 'Assumptions:')
    for (const a of r.assumptions) out.push(`  ${a.file ? `${a.file}: ` : ''}${stripControls(a.text)}`)
  }
  if (r.warnings.length) {
    out.push('', 'Warnings:')
    for (const w of r.warnings) out.push(`  ${stripControls(w)}`)
  }
  return out.join('\n')
}

function md(text: string): string {
  return oneLineSafe(text).replace(/([\\`*_|<>[\]])/g, '\\$1')
}

export function renderScanMarkdown(r: ScanResult): string {
  const out: string[] = ['# natrace scan', '']
  const scans = r.detections.filter((d) => d.kind !== 'p2p')
  const p2p = r.detections.filter((d) => d.kind === 'p2p')
  out.push(`${r.stats.events} records read; ${scans.length} scan detection(s); ${p2p.length} peer-to-peer client(s) recognised (not scans).`, '')
  if (scans.length) {
    out.push('| Source | Client | Kind | Direction | Danger | Hosts | Ports | Packets | First seen (UTC) | Last seen (UTC) |', '|---|---|---|---|---|---|---|---|---|---|')
    for (const d of scans)
      out.push(
        `| ${md(d.source.ip)} | ${md(d.source.attribution === 'attributed' ? `${d.source.mac}${d.source.hostname ? ` (${d.source.hostname})` : ''}` : d.source.attribution)} | ${d.kind} | ${d.direction} | ${d.dangerLevel} | ${d.targets.hosts} | ${md(d.targets.portRanges.map((p) => `${p.protocol} ${p.text}`).join(' '))} | ${d.packets} | ${d.firstSeen} | ${d.lastSeen} |`,
      )
    for (const [, ds] of bySource(scans)) {
      out.push('', `## ${md(who(ds[0]!))}`)
      for (const d of ds) {
        out.push('', `**${d.kind} scan**, danger level ${d.dangerLevel}, ${d.direction === 'out' ? 'outbound' : 'inbound'}: ${md(d.reason)}`, '')
        if (d.signatures.length) out.push(...d.signatures.map((s) => `- Signature: ${md(s)}`), '')
        out.push(`Client: ${md(d.source.attributionReason)}`, '', '```text')
        for (const e of d.evidence.slice(0, 8)) out.push(oneLineSafe(`${e.file}:${e.line}  ${e.text}`).replace(/```/g, "'''"))
        out.push('```')
      }
    }
  }
  if (p2p.length) {
    out.push('', '## Peer-to-peer clients (not scans)', '')
    for (const d of p2p) out.push(`- ${md(who(d))}: ${md(d.reason)}`)
  }
  if (r.explain) {
    out.push('', `## Explain ${md(r.explain.ip)}`, '')
    for (const w of r.explain.windows) out.push(`- ${w.firstSeen ?? '-'} .. ${w.lastSeen ?? '-'}: **${w.verdict}**: ${md(w.reason)}`)
  }
  if (r.warnings.length) out.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${md(w)}`))
  return out.join('\n') + '\n'
}
