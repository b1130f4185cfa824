import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {inspectNatLogs, renderNatInspect, type NatInspectResult} from '../../src/nat/inspect.js'
import {natFormats} from '../../src/nat/registry.js'

export default class LogsInspect extends Command {
  static override summary = 'Describe NAT / firewall logs: detected format, zone, time range, line counts, malformed lines'
  static override description = `Reads each log (directories recursively, compressed files too) and shows what natrace understands of it: the detected format, the first and last record (in UTC and in the zone the file was read in), how many lines were parsed, ignored (other daemons, noise) or malformed (recognised but unreadable, with their line numbers), the zone assumption, and warnings such as a truncated .gz. Formats: ${natFormats.map((f) => f.name).join(', ')}.`
  static override examples = ['<%= config.bin %> logs inspect /var/log/security /var/log/security.0.gz', '<%= config.bin %> logs inspect /srv/logs/cgnat --log-tz America/Sao_Paulo --json']
  static override enableJsonFlag = true
  static override strict = false
  static override args = {}
  static override flags = {
    'log-tz': Flags.string({description: 'zone of log stamps that carry none (default: the system zone)'}),
    format: Flags.string({description: 'force the format instead of detecting it'}),
  }

  async run(): Promise<NatInspectResult | undefined> {
    try {
      const {argv, flags} = await this.parse(LogsInspect)
      const r = await inspectNatLogs(argv as string[], {tz: flags['log-tz'], format: flags.format})
      if (!this.jsonEnabled()) this.log(renderNatInspect(r))
      return r
    } catch (err) {
      return fail(this, err)
    }
  }
}
