import {Args, Command, Flags} from '@oclif/core'
import {fail} from '../src/cli/errors.js'
import {attributionFlags, attributeOptionsFrom, draftFlags, draftOptionsFrom} from '../src/cli/flags.js'
import {runAttribution} from '../src/correlate/pipeline.js'
import {writeDrafts, type DraftFiles} from '../src/draft/index.js'
import {EXIT} from '../src/io/errors.js'
import {stripControls} from '../src/io/sanitize.js'

export interface DraftJson {
  files: DraftFiles
  /** per incident, as the drafts state it */
  incidents: {index: number; status: string}[]
}

export default class Draft extends Command {
  static override summary = 'Attribute a report and draft everything the operator sends: reply to the reporter, customer notices, evidence pack.'
  static override description = `Runs the same attribution as \`natrace attribute\`, then writes into --out (fixed file names, nothing else):
  reply.eml                 the answer to the reporter: Re: <subject> (ticket tag kept), threaded on the report's
                            Message-ID, To the reporter, Cc every address the report asks to copy; in the reporter's
                            language (pt-BR for registro.br/cert.br/nic.br, es, en; --lang overrides). It never names
                            the customer (no MAC, hostname, inside IP, subscriber).
  customer-notice-N.txt     one per customer identified (.eml too when the customer's e-mail is known)
  evidence.md/.json         the internal evidence pack: report, assumptions, evidence chain, SHA-256 of every input

Operator details come from natrace.config.json in the current directory or ~/.config/natrace/config.json
(see natrace.config.example.json); --config, --org and --from override them.

Exit codes: 0 every incident attributed; 3 some incident ambiguous or not found (drafts are still written); 2 usage error; 1 bad input.`
  static override examples = [
    '<%= config.bin %> draft samples/reports/nicbr-portscan.eml --nat-logs samples/nat --dhcp samples/dhcp --public-ip 203.0.113.5 --log-tz America/Sao_Paulo --out drafts --from "Abuse <abuse@example.net>"',
    '<%= config.bin %> draft report.eml --nat-logs /var/log/nat --dhcp /var/db/dhcpd.leases --lang en --templates ./my-templates',
  ]
  static override enableJsonFlag = true
  static override args = {report: Args.string({description: 'the abuse report (.eml, text or JSON)', required: true})}
  static override flags = {
    ...attributionFlags,
    out: Flags.string({description: 'directory the drafts are written into (created if missing)', default: 'natrace-drafts'}),
    ...draftFlags,
  }

  async run(): Promise<DraftJson | undefined> {
    try {
      const {args, flags} = await this.parse(Draft)
      const opts = attributeOptionsFrom(args.report, flags)
      const draftOpts = await draftOptionsFrom(args.report, flags) // before reading the logs
      const result = await runAttribution(opts)
      const files = await writeDrafts(result, {outDir: flags.out, ...draftOpts})
      if (!this.jsonEnabled()) {
        for (const w of files.warnings) this.warn(stripControls(w))
        this.log([files.reply, ...files.customerNotices, files.evidenceMd, files.evidenceJson].join('\n'))
      }
      if (result.incidents.some((i) => i.attribution.status !== 'attributed')) process.exitCode = EXIT.unresolved
      return {files, incidents: result.incidents.map((i, index) => ({index, status: i.attribution.status}))}
    } catch (err) {
      return fail(this, err)
    }
  }
}
