import {Command, Flags} from '@oclif/core'
import {fail} from '../../src/cli/errors.js'
import {inspectNatLogs, renderNatInspect, type NatInspectResult} from '../../src/nat/inspect.js'
import {natFormats} from '../../src/nat/registry.js'
import {expandInputs} from '../../src/io/files.js'
import {UsageError} from '../../src/io/errors.js'
import {parseIso, toZone} from '../../src/io/time.js'
import {DEFAULT_PRUNE_MARGIN_SECONDS, explainPruning} from '../../src/io/prune.js'
import {DEFAULT_MAX_SKEW_SECONDS} from '../../src/correlate/options.js'

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
    at: Flags.string({description: 'an instant (ISO 8601 with zone) a report names: also say which files time pruning would skip for it, and why; repeatable', multiple: true}),
    'max-skew': Flags.string({description: `with --at: clock tolerance, seconds (default ${DEFAULT_MAX_SKEW_SECONDS})`}),
    'prune-margin': Flags.string({description: `with --at: pruning margin, seconds (default ${DEFAULT_PRUNE_MARGIN_SECONDS})`}),
  }

  async run(): Promise<(NatInspectResult & {pruning?: Awaited<ReturnType<typeof explainPruning>>}) | undefined> {
    try {
      const {argv, flags} = await this.parse(LogsInspect)
      const r = await inspectNatLogs(argv as string[], {tz: flags['log-tz'], format: flags.format})
      if (!this.jsonEnabled()) this.log(renderNatInspect(r))
      if (!flags.at?.length) return r
      const at = flags.at.map((a) => {
        const got = parseIso(a, toZone(flags['log-tz'] ?? 'UTC'))
        if (!got) throw new UsageError(`--at takes an ISO 8601 instant with its zone (2026-03-15T14:23:18-03:00), not "${a}"`)
        return got.ms
      })
      const secs = (v: string | undefined, d: number, flag: string) => {
        if (v === undefined) return d
        if (!/^\d+(\.\d+)?$/.test(v.trim())) throw new UsageError(`${flag} takes a number of seconds, not "${v}"`)
        return Number(v)
      }
      const pruning = await explainPruning(await expandInputs(argv as string[], 'NAT log'), natFormats, {
        zone: flags['log-tz'],
        format: flags.format,
        at,
        skewMs: secs(flags['max-skew'], DEFAULT_MAX_SKEW_SECONDS, '--max-skew') * 1000,
        marginMs: secs(flags['prune-margin'], DEFAULT_PRUNE_MARGIN_SECONDS, '--prune-margin') * 1000,
      })
      if (!this.jsonEnabled()) {
        const n = pruning.filter((p) => p.skip).length
        this.log(`\nTime pruning for ${flags.at.join(', ')}: ${n} of ${pruning.length} file(s) would not be read`)
        for (const p of pruning) this.log(`  ${p.skip ? 'skip' : 'read'}  ${p.file}${p.reason ? `: ${p.reason}` : ''}`)
      }
      return {...r, pruning}
    } catch (err) {
      return fail(this, err)
    }
  }
}
