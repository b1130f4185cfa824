import {fail} from '../src/cli/errors.js'
import {Args, Command, Flags} from '@oclif/core'
import {oneLineSafe, stripControls} from '../src/io/sanitize.js'
import {formatInZone, isoUtc} from '../src/io/time.js'
import type {AttributionResult, Report} from '../src/model.js'
import {readReport} from '../src/report/index.js'

/** `natrace report --json`: the report fields of `attribute --json` (without file/zone), its assumptions and incidents. */
export type ReportJson = Omit<AttributionResult['report'], 'file' | 'zone'> & {
  assumptions: Report['assumptions']
  incidents: Array<{
    time: string
    times: string[]
    publicIp: string | null
    publicPort: number | null
    portRole: string | null
    destIp: string | null
    destPort: number | null
    protocol: string | null
    zone: string
    zoneHow: string
    outsideOurNetworks?: boolean
    raw: string
  }>
}

export function reportToJson(r: Report): ReportJson {
  return {
    format: r.format,
    reporter: r.reporter,
    ticket: r.ticket,
    subject: r.subject,
    messageId: r.messageId,
    from: r.from,
    replyTo: r.replyTo,
    date: r.date !== null ? isoUtc(r.date) : null,
    language: r.language,
    assumptions: r.assumptions,
    incidents: r.incidents.map((i) => ({
      time: isoUtc(i.time),
      times: i.times.map(isoUtc),
      publicIp: i.publicIp,
      publicPort: i.publicPort,
      portRole: i.portRole,
      destIp: i.destIp,
      destPort: i.destPort,
      protocol: i.protocol,
      zone: i.zone.zone,
      zoneHow: i.zone.how,
      ...(i.outsideOurNetworks ? {outsideOurNetworks: true} : {}),
      raw: i.raw,
    })),
  }
}

const ROLE: Record<string, string> = {
  source: 'our source port',
  destination: 'attacked port on the remote side',
  listening: 'port listening on our IP',
}

export default class ReportCommand extends Command {
  static override summary = 'Show what natrace reads from an abuse report'
  static override description =
    'Reads an abuse report (.eml, text or JSON: Registro.br/CERT.br, X-ARF, ARF, ACNS, Shadowserver, SpamCop, free text…) and shows the detected format, reporter, ticket, incidents (UTC times, port roles) and the assumptions made.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> report notification.eml --public-ip 200.1.2.3',
    '<%= config.bin %> report report.eml --report-tz America/Sao_Paulo --json',
  ]

  static override args = {
    report: Args.string({description: 'abuse report file (.eml, .txt, .json)', required: true}),
  }

  static override flags = {
    'public-ip': Flags.string({description: 'our public IP, for reports that mask it (x.x.x.x)'}),
    'report-tz': Flags.string({description: 'zone of report times that state none (IANA name or offset); beats a sender convention'}),
    'our-networks': Flags.string({description: 'our address space (CIDR); IPs outside it are flagged, not attributed', multiple: true}),
  }

  async run(): Promise<ReportJson | undefined> {
    try {
      const {args, flags} = await this.parse(ReportCommand)
      const report: Report = await readReport(args.report, {
        publicIp: flags['public-ip'],
        reportTz: flags['report-tz'],
        ourNetworks: flags['our-networks']?.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean),
      })
      const json = reportToJson(report)
      if (!this.jsonEnabled()) this.log(renderText(report))
      return json
    } catch (err) {
      return fail(this, err)
    }
  }
}
export function renderText(r: Report): string {
  const s = (v: string | null | undefined) => (v === null || v === undefined ? '-' : oneLineSafe(v))
  const out: string[] = []
  out.push(`Report:    ${s(r.file)}`)
  out.push(`Format:    ${r.format}`)
  out.push(`Reporter:  ${s(r.reporter)}${r.from ? ` <${s(r.from)}>` : ''}`)
  out.push(`Ticket:    ${s(r.ticket)}`)
  out.push(`Subject:   ${s(r.subject)}`)
  out.push(`Message-ID: ${s(r.messageId)}`)
  if (r.date !== null) out.push(`Date:      ${isoUtc(r.date)}`)
  if (r.replyTo.length) out.push(`Reply to:  ${r.replyTo.map(s).join(', ')}`)
  if (r.language) out.push(`Language:  ${r.language}`)
  out.push('')
  out.push(`Incidents (${r.incidents.length}):`)
  r.incidents.forEach((i, n) => {
    const port = i.publicPort !== null ? `:${i.publicPort}` : ''
    const dest = i.destIp || i.destPort !== null ? ` -> ${i.destIp ?? '?'}${i.destPort !== null ? `:${i.destPort}` : ''}` : ''
    out.push(`  #${n + 1} ${isoUtc(i.time)}  ${i.publicIp ?? '?'}${port}${dest}${i.protocol ? ` ${i.protocol}` : ''}`)
    out.push(`      reported as ${formatInZone(i.time, i.zone.zone)} [zone: ${i.zone.how}]`)
    if (i.publicPort !== null) out.push(`      port ${i.publicPort}: ${i.portRole ? ROLE[i.portRole] : 'role not stated (not used as a source port)'}`)
    if (i.times.length > 1) out.push(`      ${i.times.length} times: ${i.times.map(isoUtc).join(', ')}`)
    if (i.outsideOurNetworks) out.push('      NOT in --our-networks: not attributed')
    for (const line of i.raw.split('\n').slice(0, 5)) out.push(`      | ${stripControls(line)}`)
  })
  if (r.assumptions.length) {
    out.push('')
    out.push('Assumptions:')
    for (const a of r.assumptions) out.push(`  - [${a.kind}] ${oneLineSafe(a.text)}`)
  }
  return out.join('\n')
}
