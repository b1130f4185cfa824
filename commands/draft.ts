import {Args, Command, Flags} from '@oclif/core'
import {failureOf} from '../src/cli/errors.js'
import {attributionFlags, attributeOptionsFrom} from '../src/cli/flags.js'
import {runAttribution} from '../src/correlate/pipeline.js'
import {checkDraftOptions, loadOperatorConfig, writeDrafts, type DraftFiles} from '../src/draft/index.js'
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
    lang: Flags.string({description: "language of the reply (pt-BR, en, es; default: the reporter's)"}),
    'customer-lang': Flags.string({description: 'language of customer notices (default: config customerLanguage, else the reply language)'}),
    templates: Flags.string({description: 'directory with your own templates: DIR/<lang>/{reply,notice,notice-subject}.eta'}),
    config: Flags.string({description: 'operator config file (default: ./natrace.config.json, else ~/.config/natrace/config.json)'}),
    org: Flags.string({description: 'organisation name signing the drafts (overrides the config)'}),
    from: Flags.string({description: 'From address of the reply, e.g. "Example Abuse <abuse@example.net>" (overrides the config)'}),
    unattended: Flags.boolean({description: 'the reply is sent without a human reading it: marks it Auto-Submitted: auto-replied', default: false}),
  }

  async run(): Promise<DraftJson | undefined> {
    try {
      const {args, flags} = await this.parse(Draft)
      const opts = attributeOptionsFrom(args.report, flags)
      const config = await loadOperatorConfig(flags.config)
      if (flags.org) config.organisation = flags.org
      if (flags.from) config.from = flags.from
      const draftOpts = {
        config,
        reportSource: args.report,
        unattended: flags.unattended,
        ...(flags.lang ? {lang: flags.lang} : {}),
        ...(flags['customer-lang'] ? {customerLang: flags['customer-lang']} : {}),
        ...(flags.templates ? {templatesDir: flags.templates} : {}),
      }
      checkDraftOptions(draftOpts) // before reading the logs
      const result = await runAttribution(opts)
      const files = await writeDrafts(result, {outDir: flags.out, ...draftOpts})
      if (!this.jsonEnabled()) {
        for (const w of files.warnings) this.warn(stripControls(w))
        this.log([files.reply, ...files.customerNotices, files.evidenceMd, files.evidenceJson].join('\n'))
      }
      if (result.incidents.some((i) => i.attribution.status !== 'attributed')) process.exitCode = EXIT.unresolved
      return {files, incidents: result.incidents.map((i, index) => ({index, status: i.attribution.status}))}
    } catch (err) {
      const f = failureOf(err)
      this.error(f.message, {exit: f.exit})
    }
  }
}
