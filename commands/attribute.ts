import {Args, Command, Flags} from '@oclif/core'
import {fail} from '../src/cli/errors.js'
import {attributionFlags, attributeOptionsFrom, draftFlags, draftOptionsFrom} from '../src/cli/flags.js'
import {writeDrafts} from '../src/draft/index.js'
import {stripControls} from '../src/io/sanitize.js'
import {runAttribution} from '../src/correlate/pipeline.js'
import {renderAttributionText} from '../src/correlate/render.js'
import {EXIT} from '../src/io/errors.js'
import type {AttributionResult} from '../src/model.js'

export default class Attribute extends Command {
  static override summary = 'Which of my customers did this? Attribute an abuse report through NAT logs and leases, with evidence.'
  static override description = `Reads the report (e-mail, text, X-ARF, ARF, …), finds the NAT translation of every reported public ip:port at the reported time in the NAT logs, and the holder of the inside address at that instant in the lease sources. Each incident ends attributed (one client), ambiguous (candidates listed) or not-found (the failing step said).

Exit codes: 0 every incident attributed; 3 some incident ambiguous or not found; 2 usage error; 1 bad input.`
  static override examples = [
    '<%= config.bin %> attribute samples/reports/nicbr-portscan.eml --nat-logs samples/nat --dhcp samples/dhcp --public-ip 203.0.113.5 --log-tz America/Sao_Paulo',
    '<%= config.bin %> attribute report.eml --nat-logs /var/log/nat --dhcp /var/db/dhcpd.leases --json',
  ]
  static override enableJsonFlag = true
  static override args = {report: Args.string({description: 'the abuse report (.eml, text or JSON)', required: true})}
  static override flags = {
    ...attributionFlags,
    draft: Flags.string({description: 'also write the reply drafts (reply.eml, customer notices, evidence pack) into this directory (as `natrace draft --out`)'}),
    ...draftFlags,
  }

  async run(): Promise<AttributionResult | undefined> {
    try {
      const {args, flags} = await this.parse(Attribute)
      const opts = attributeOptionsFrom(args.report, flags)
      const draftOpts = flags.draft ? await draftOptionsFrom(args.report, flags) : null
      const result = await runAttribution(opts)
      if (!this.jsonEnabled()) this.log(renderAttributionText(result))
      if (flags.draft && draftOpts) {
        const files = await writeDrafts(result, {outDir: flags.draft, ...draftOpts})
        if (!this.jsonEnabled()) for (const w of files.warnings) process.stderr.write(`natrace: warning: ${stripControls(w)}\n`)
        if (!this.jsonEnabled()) this.log(`\nDrafts written:\n  ${[files.reply, ...files.customerNotices, files.evidenceMd, files.evidenceJson].join('\n  ')}`)
      }
      if (result.incidents.some((i) => i.attribution.status !== 'attributed')) process.exitCode = EXIT.unresolved
      return result
    } catch (err) {
      return fail(this, err)
    }
  }
}
