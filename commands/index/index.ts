import {Args, Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {buildIndex, type BuildSummary} from '../../src/index/build.js'
import {formatWarning} from '../../src/io/errors.js'

export default class Index extends Command {
  static override summary = 'Index NAT logs and lease sources for fast repeated attribution (attribute --index FILE).'
  static override description = `Reads every record of the given NAT logs and lease sources (files or directories, rotated sets, gzip) into an embedded index keyed by public IP, public port and time (translations, port blocks, one-sided packets) and by inside IP and time (leases): a DuckDB file (--db FILE) and, beside it, the directory FILE.nat of the NAT records (one Parquet file a log; keep the two together). Incremental: files already indexed (same size, modification time and first 64 KiB, also after a rotation renamed them) are skipped; a file that changed is indexed again. Each file is told apart as NAT log or lease source by format detection.`
  static override examples = [
    '<%= config.bin %> index /var/log/nat /var/lib/kea/kea-leases4.csv --db /var/lib/natrace/index.duckdb --log-tz America/Sao_Paulo',
    '<%= config.bin %> attribute report.eml --index /var/lib/natrace/index.duckdb',
  ]
  static override enableJsonFlag = true
  static override strict = false
  static override args = {paths: Args.string({description: 'NAT log / lease source files or directories', required: true})}
  static override flags = {
    db: Flags.string({description: 'index file to create or update (its NAT records go to the directory FILE.nat beside it)', required: true}),
    'log-tz': Flags.string({description: 'zone of NAT log stamps that carry none (default: the system zone)'}),
    'dhcp-tz': Flags.string({description: 'zone of lease-log stamps that carry none (default: --log-tz, else the system zone)'}),
    'nat-format': Flags.string({description: 'force the NAT log format of every file'}),
    'lease-format': Flags.string({description: 'force the lease source format of every file'}),
  }

  async run(): Promise<BuildSummary | undefined> {
    try {
      const {argv, flags} = await this.parse(Index)
      const json = this.jsonEnabled()
      const warnings: string[] = []
      const summary = await buildIndex(argv as string[], flags.db, {
        logTz: flags['log-tz'],
        dhcpTz: flags['dhcp-tz'],
        natFormat: flags['nat-format'],
        leaseFormat: flags['lease-format'],
        onWarning: (w) => warnings.push(formatWarning(w)),
        onFile: (f, status, records) => {
          if (!json && status !== 'unchanged') this.log(`${status.padEnd(9)} ${f.display}${status === 'indexed' ? ` (${records} records)` : ''}`)
        },
      })
      if (!json) {
        for (const w of warnings) this.logToStderr(`warning: ${w}`)
        const rate = summary.seconds > 0 ? Math.round((summary.natRecords + summary.leaseRecords) / summary.seconds) : 0
        this.log(
          `\n${summary.db}: ${summary.indexed} file(s) indexed, ${summary.unchanged} unchanged, ${summary.renamed} renamed, ${summary.unknown} not recognised; ` +
            `+${summary.natRecords} NAT and +${summary.leaseRecords} lease records in ${summary.seconds.toFixed(1)} s (${rate}/s); ` +
            `the index holds ${summary.totalNatRecords} NAT and ${summary.totalLeaseRecords} lease records`,
        )
      }
      return summary
    } catch (err) {
      return fail(this, err)
    }
  }
}
