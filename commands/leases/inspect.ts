import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {renderInspect} from '../../src/lease/render.js'
import {inspectLeases, yearPolicy, type InspectResult} from '../../src/lease/who.js'

export default class LeasesInspect extends Command {
  static override summary = 'Describe lease sources: detected format, zone, time range, event counts, malformed lines'
  static override description = 'Reads each lease / RADIUS / static-map file (directories recursively, .gz too) and shows what natrace understands of it, without answering any question. Use it to check a source before `leases who` or `attribute`.'
  static override examples = ['<%= config.bin %> leases inspect /var/db/dhcpd.leases /var/log/messages', '<%= config.bin %> leases inspect /var/log/dhcp --json']
  static override enableJsonFlag = true
  static override strict = false
  static override flags = {
    'dhcp-tz': Flags.string({description: 'zone of stamps that carry none; default the system zone'}),
    year: Flags.integer({description: 'year of syslog stamps (they carry none); default: inferred from each file\'s modification time', min: 1970, max: 2100}),
    'lease-format': Flags.string({description: 'force the format instead of detecting it'}),
  }

  async run(): Promise<InspectResult | undefined> {
    try {
      const {argv, flags} = await this.parse(LeasesInspect)
      const r = await inspectLeases(argv as string[], {tz: flags['dhcp-tz'], format: flags['lease-format'], year: yearPolicy(flags.year)})
      if (!this.jsonEnabled()) this.log(renderInspect(r))
      return r
    } catch (err) {
      return fail(this, err)
    }
  }
}
