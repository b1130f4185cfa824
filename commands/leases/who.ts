import {Args, Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {EXIT} from '../../src/io/errors.js'
import {renderWho} from '../../src/lease/render.js'
import {whoHeld, type WhoResult} from '../../src/lease/who.js'

export default class LeasesWho extends Command {
  static override summary = 'Who held an inside IP at an instant: MAC, hostname, subscriber, with evidence'
  static override description = `Reads DHCP / RADIUS / static-map sources (files or directories, plain or .gz), builds the lease history of the IP and names the client that held it at --at. A lease that starts after --at proves nothing: when the history does not reach back that far the answer is not-found, with the reason.

TIME is ISO-8601 with a zone (2013-06-18T15:53:34-03:00, …Z) or without one (read in --dhcp-tz, else the system zone, and said so), or epoch seconds.

Exit codes: 0 one client named; 3 ambiguous (conflicting sources) or not found; 2 usage error; 1 bad input.`
  static override examples = [
    '<%= config.bin %> leases who 192.168.0.23 --at 2013-06-18T15:53:34-03:00 --dhcp /var/db/dhcpd.leases --dhcp /var/log/messages',
    '<%= config.bin %> leases who 192.168.0.23 --at "2013-06-18 15:53:34" --dhcp-tz America/Sao_Paulo --dhcp /var/log/dhcpd --json',
  ]
  static override enableJsonFlag = true
  static override args = {ip: Args.string({description: 'inside IP address', required: true})}
  static override flags = {
    at: Flags.string({description: 'the instant (ISO-8601, zone optional; or epoch seconds)', required: true}),
    dhcp: Flags.string({description: 'lease / RADIUS / static-map source, file or directory (repeatable)', multiple: true, required: true}),
    'dhcp-tz': Flags.string({description: 'zone of lease-log stamps (and of --at) that carry none; default the system zone'}),
    'lease-format': Flags.string({description: 'force the lease source format instead of detecting it'}),
    grace: Flags.integer({description: 'seconds a client still counts as holder after its lease ended (default 300)', min: 0}),
    'assumed-lease': Flags.integer({description: 'lease length in seconds assumed when a source states none (default 3600)', min: 1}),
  }

  async run(): Promise<WhoResult | undefined> {
    try {
      const {args, flags} = await this.parse(LeasesWho)
      const r = await whoHeld({
        ip: args.ip,
        at: flags.at,
        paths: flags.dhcp,
        tz: flags['dhcp-tz'],
        format: flags['lease-format'],
        graceMs: flags.grace === undefined ? undefined : flags.grace * 1000,
        assumedLeaseMs: flags['assumed-lease'] === undefined ? undefined : flags['assumed-lease'] * 1000,
      })
      if (!this.jsonEnabled()) this.log(renderWho(r))
      if (r.status !== 'attributed') process.exitCode = EXIT.unresolved
      return r
    } catch (err) {
      return fail(this, err)
    }
  }
}
