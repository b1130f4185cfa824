import {Command, Flags} from '@oclif/core'
import {fail} from '../src/cli/errors.js'
import {UsageError} from '../src/io/errors.js'
import {runScan, type ScanResult, type ScanRunOptions} from '../src/scan/run.js'
import {renderScanMarkdown, renderScanText} from '../src/scan/render.js'

/** "90s", "10m", "1h", "2d", "500ms" or a bare number of seconds → ms. */
export function durationMs(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim())
  if (!m) throw new UsageError(`${flag} takes a duration such as 90s, 10m, 1h (or seconds), not "${text}"`)
  const mult = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd']
  const ms = Number(m[1]) * mult
  if (!(ms > 0)) throw new UsageError(`${flag} must be longer than 0`)
  return ms
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${flag} takes a whole number ≥ 1, not "${text}"`)
  return Number(text)
}

function ratio(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!/^\d*\.?\d+$/.test(text.trim()) || !(n > 0 && n < 1)) throw new UsageError(`${flag} takes a number between 0 and 1, not "${text}"`)
  return n
}

export default class Scan extends Command {
  static override summary = "Find scanners in our own NAT / firewall logs (psad-style digests) and name the client behind each inside source."
  static override description = `Streams every NAT / firewall log format natrace reads through a scan detector: vertical scans (one host, many ports), horizontal sweeps (many hosts, one port), mixed/random scans, SYN-only attempts, and a Threshold Random Walk on first-contact outcomes where the log shows them. BitTorrent / DHT clients are recognised and reported as p2p, never as scans. Inside sources are attributed to the lease holder (MAC, hostname, subscriber) at their first packet.

With --draft DIR: an alert e-mail for the abuse desk, one notice per named customer (no To: lease sources hold no e-mail) and the detections as JSON; nothing is sent.

Thresholds and defaults are documented in README ("Scan detection"). Exit codes: 0 ok (with or without detections); 2 usage error; 1 bad input.`
  static override examples = [
    '<%= config.bin %> scan --nat-logs /var/log/security --dhcp /var/db/dhcpd.leases --log-tz America/Sao_Paulo',
    '<%= config.bin %> scan --nat-logs /var/log/conntrack.log --direction out --json',
    '<%= config.bin %> scan --nat-logs samples/nat --explain 192.168.0.23',
    '<%= config.bin %> scan --nat-logs /var/log/security --dhcp /var/db/dhcpd.leases --follow --quiet-period 1h',
  ]
  static override enableJsonFlag = true
  static override flags = {
    'nat-logs': Flags.string({description: 'NAT / firewall log file or directory (recursive; plain, .gz …; rotated sets read in order)', multiple: true, required: true}),
    dhcp: Flags.string({description: 'lease / RADIUS / static-map source naming the clients behind inside addresses', multiple: true, default: []}),
    since: Flags.string({description: 'only contacts at or after this ISO-8601 time (zone-less: --log-tz)'}),
    until: Flags.string({description: 'only contacts at or before this ISO-8601 time'}),
    direction: Flags.string({description: 'out: our clients scanning out; in: others scanning our hosts; both', options: ['in', 'out', 'both'], default: 'both'}),
    explain: Flags.string({description: 'say why this source was or was not flagged (window by window)'}),
    markdown: Flags.boolean({description: 'Markdown digest instead of text'}),
    follow: Flags.boolean({description: 'tail the logs (rotation-aware) and print detections as they cross thresholds'}),
    'from-start': Flags.boolean({description: 'with --follow: read what the files already hold first (default: only new lines)'}),
    'quiet-period': Flags.string({description: 'with --follow: never alert the same source again within this long (default 1h)', default: '1h'}),
    'log-tz': Flags.string({description: 'zone of NAT log stamps that carry none (default: the system zone)'}),
    'dhcp-tz': Flags.string({description: 'zone of lease-log stamps that carry none (default: --log-tz, else the system zone)'}),
    'our-networks': Flags.string({description: 'our public address space (CIDR), for logs that show public sources and destinations', multiple: true}),
    'nat-format': Flags.string({description: 'force the NAT log format instead of detecting it'}),
    'lease-format': Flags.string({description: 'force the lease source format instead of detecting it'}),
    window: Flags.string({description: "longest window of one source's counts (default 1h)"}),
    idle: Flags.string({description: "a source silent this long closes its window (default 10m)"}),
    'vertical-ports': Flags.string({description: 'distinct ports on one host for a vertical scan (default 20)'}),
    'horizontal-hosts': Flags.string({description: 'distinct hosts on one port for a horizontal sweep (default 25)'}),
    draft: Flags.string({description: 'also write an alert e-mail for the abuse desk, a notice per named customer and the detections as JSON into this directory (not with --follow)'}),
    config: Flags.string({description: 'operator config for --draft (default: ./natrace.config.json, ~/.config/natrace/config.json)'}),
    lang: Flags.string({description: 'language of the --draft alert and customer notices: en, pt-BR, es (default: the config, else en)'}),
    templates: Flags.string({description: 'directory with your own templates: DIR/<lang>/{scan-alert,scan-alert-subject,scan-notice,scan-notice-subject}.eta (missing ones: the shipped)'}),
    'trw-min-failures': Flags.string({description: 'failed first contacts (in the current walk) before a TRW verdict is reported (default 6)'}),
    'trw-alpha': Flags.string({description: 'TRW false-positive rate α (default 0.01)'}),
    'trw-beta': Flags.string({description: 'TRW detection rate β (default 0.99)'}),
  }

  async run(): Promise<ScanResult | undefined> {
    try {
      const {flags} = await this.parse(Scan)
      const opts: ScanRunOptions = {
        natLogs: flags['nat-logs'],
        dhcp: flags.dhcp,
        logTz: flags['log-tz'],
        dhcpTz: flags['dhcp-tz'],
        since: flags.since,
        until: flags.until,
        direction: flags.direction as 'in' | 'out' | 'both',
        explain: flags.explain,
        ourNetworks: flags['our-networks'],
        natFormat: flags['nat-format'],
        leaseFormat: flags['lease-format'],
        detector: {
          windowMs: durationMs('--window', flags.window),
          idleMs: durationMs('--idle', flags.idle),
          verticalPorts: count('--vertical-ports', flags['vertical-ports']),
          horizontalHosts: count('--horizontal-hosts', flags['horizontal-hosts']),
          trwMinFailures: count('--trw-min-failures', flags['trw-min-failures']),
          alpha: ratio('--trw-alpha', flags['trw-alpha']),
          beta: ratio('--trw-beta', flags['trw-beta']),
        },
      }
      if (flags.follow && flags.draft) throw new UsageError('--draft writes drafts for a finished scan: not with --follow')
      // a language natrace cannot write is said before the logs are read, not after
      if (flags.draft && flags.lang) (await import('../src/scan/draft.js')).scanDraftLanguage(flags.lang, flags.templates)
      if (flags.follow && flags.explain) throw new UsageError('--explain describes a finished scan: not with --follow')
      if (flags.follow) {
        const {runFollow} = await import('../src/scan/live.js')
        await runFollow(opts, {
          quietMs: durationMs('--quiet-period', flags['quiet-period'])!,
          fromStart: flags['from-start'],
          json: this.jsonEnabled(),
          write: (s) => process.stdout.write(s),
          warn: (s) => process.stderr.write(`natrace: ${s}\n`),
        })
        return undefined
      }
      const result = await runScan(opts)
      if (!this.jsonEnabled()) this.log(flags.markdown ? renderScanMarkdown(result) : renderScanText(result))
      if (flags.draft) {
        const {writeScanDrafts} = await import('../src/scan/draft.js')
        const files = await writeScanDrafts(result, {outDir: flags.draft, config: flags.config, lang: flags.lang, templatesDir: flags.templates})
        for (const w of files.warnings) process.stderr.write(`natrace: warning: ${w}\n`)
        if (!this.jsonEnabled()) this.log(`\nDrafts written:\n  ${[files.alert, ...files.notices, files.evidence].join('\n  ')}`)
      }
      return result
    } catch (err) {
      return fail(this, err)
    }
  }
}
