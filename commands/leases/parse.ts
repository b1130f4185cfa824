import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {stripControls} from '../../src/io/sanitize.js'
import {eventRow, readLeaseSources, yearPolicy} from '../../src/lease/who.js'
import {canonicalIp} from '../../src/io/net.js'
import {UsageError, formatWarning} from '../../src/io/errors.js'

export default class LeasesParse extends Command {
  static override summary = 'Print the lease events natrace reads from lease sources (NDJSON with --json)'
  static override description =
    'One record per lease event: {file, line, format, event, time, ip, mac, hostname, subscriber, leaseEnd}, times ISO-8601 UTC, MACs lower-case colon form. event is lease|assign|renew|release|expire|start|interim|stop|static. With --json: one JSON object per line (NDJSON).'
  static override examples = ['<%= config.bin %> leases parse /var/db/dhcpd.leases --json', '<%= config.bin %> leases parse /var/log/messages --ip 192.168.0.23 --dhcp-tz America/Sao_Paulo']
  static override strict = false
  static override flags = {
    json: Flags.boolean({description: 'NDJSON: one JSON object per line'}),
    ip: Flags.string({description: 'only events of this IP (repeatable)', multiple: true}),
    'dhcp-tz': Flags.string({description: 'zone of stamps that carry none; default the system zone'}),
    year: Flags.integer({description: 'year of syslog stamps (they carry none); default: inferred from each file\'s modification time', min: 1970, max: 2100}),
    'lease-format': Flags.string({description: 'force the format instead of detecting it'}),
  }

  async run(): Promise<void> {
    try {
      const {argv, flags} = await this.parse(LeasesParse)
      const ips = (flags.ip ?? []).map((x) => {
        const c = canonicalIp(x)
        if (!c) throw new UsageError(`--ip "${x}" is not an IP address`)
        return c
      })
      const read = await readLeaseSources(argv as string[], {
        tz: flags['dhcp-tz'],
        format: flags['lease-format'],
        year: yearPolicy(flags.year),
        needles: ips.length && !ips.some((i) => i.includes(':')) ? ips : undefined,
      })
      const want = ips.length ? new Set(ips) : null
      const out: string[] = []
      for (const r of read.results) {
        for (const e of r.records) {
          if (want && !want.has(e.ip)) continue
          const row = eventRow(e, r.format)
          if (flags.json) out.push(JSON.stringify(row))
          else
            out.push(
              [row.time, row.event.padEnd(7), row.ip, row.mac ?? '-', row.hostname ?? '-', row.subscriber ?? '-', `until ${row.leaseEnd ?? '-'}`, `${row.file}:${row.line}`]
                .map((s) => stripControls(String(s)))
                .join('  '),
            )
          if (out.length >= 1000) {
            process.stdout.write(out.join('\n') + '\n')
            out.length = 0
          }
        }
      }
      if (out.length) process.stdout.write(out.join('\n') + '\n')
      for (const w of read.warnings) process.stderr.write(`natrace: warning: ${stripControls(formatWarning(w))}\n`)
      for (const r of read.results) {
        if (r.format === null) process.stderr.write(`natrace: warning: ${stripControls(r.file.display)}: no known lease format recognised\n`)
        if (r.malformed.count) process.stderr.write(`natrace: warning: ${stripControls(r.file.display)}: ${r.malformed.count} malformed record(s), first at line ${r.malformed.first.map((m) => `${m.line} (${stripControls(m.reason)})`).join(', ')}\n`)
      }
    } catch (err) {
      return fail(this, err)
    }
  }
}
