/**
 * The attribution flags shared by `attribute`, `draft` and `review` (one definition, so the three commands
 * accept the same words — a contract scripts rely on).
 */
import {Flags} from '@oclif/core'
import {UsageError} from '../io/errors.js'
import {DEFAULT_MAX_SKEW_SECONDS, type AttributeOptions} from '../correlate/options.js'
import {checkDraftOptions, loadOperatorConfig, type DraftOptions} from '../draft/index.js'

export const attributionFlags = {
  'nat-logs': Flags.string({description: 'NAT / firewall log file or directory (recursive; plain, .gz …; rotated sets read in order)', multiple: true, default: []}),
  dhcp: Flags.string({description: 'lease / RADIUS / static-map source, file or directory', multiple: true, default: []}),
  'log-tz': Flags.string({description: 'zone of NAT log stamps that carry none (default: the system zone)'}),
  'dhcp-tz': Flags.string({description: 'zone of lease-log stamps that carry none (default: --log-tz, else the system zone)'}),
  'report-tz': Flags.string({description: "zone of report stamps that carry none (default: the reporter's convention, e.g. America/Sao_Paulo for registro.br, else UTC)"}),
  'public-ip': Flags.string({description: 'our public IP, for reports that mask it (x.x.x.x)'}),
  'max-skew': Flags.string({description: `clock tolerance between the reporter and our logs, seconds (default ${DEFAULT_MAX_SKEW_SECONDS})`}),
  'our-networks': Flags.string({description: 'our address space (CIDR); reported IPs outside it are flagged, not attributed', multiple: true}),
  'nat-format': Flags.string({description: 'force the NAT log format (see `natrace logs inspect`) instead of detecting it'}),
  'lease-format': Flags.string({description: 'force the lease source format instead of detecting it'}),
  'det-nat': Flags.string({
    description: 'deterministic NAT (RFC 7422) rule "INSIDE=PUBLIC,ports=LO-HI,block=N[,from=ISO,to=ISO]" or a JSON file of rules; repeatable',
    multiple: true,
  }),
  'full-scan': Flags.boolean({description: 'read every NAT log file whole, also those whose time range cannot hold a reported instant'}),
  'prune-margin': Flags.string({description: 'time pruning: skip a NAT log file only when its time range ± this many seconds misses every reported instant (default 86400)'}),
  index: Flags.string({description: 'answer from this index (built by `natrace index`) instead of scanning the NAT logs and lease sources'}),
}

export interface AttributionFlagValues {
  'nat-logs'?: string[]
  dhcp: string[]
  'log-tz'?: string
  'dhcp-tz'?: string
  'report-tz'?: string
  'public-ip'?: string
  'max-skew'?: string
  'our-networks'?: string[]
  'nat-format'?: string
  'lease-format'?: string
  'det-nat'?: string[]
  'full-scan'?: boolean
  'prune-margin'?: string
  index?: string
}

export function attributeOptionsFrom(report: string, f: AttributionFlagValues): AttributeOptions {
  let maxSkew: number | undefined
  if (f['max-skew'] !== undefined) {
    maxSkew = Number(f['max-skew'])
    if (!/^\d+(\.\d+)?$/.test(f['max-skew'].trim()) || !Number.isFinite(maxSkew)) throw new UsageError(`--max-skew takes a number of seconds, not "${f['max-skew']}"`)
  }
  let pruneMargin: number | undefined
  if (f['prune-margin'] !== undefined) {
    pruneMargin = Number(f['prune-margin'])
    if (!/^\d+(\.\d+)?$/.test(f['prune-margin'].trim()) || !Number.isFinite(pruneMargin)) throw new UsageError(`--prune-margin takes a number of seconds, not "${f['prune-margin']}"`)
  }
  if (!f['nat-logs']?.length && !f['det-nat']?.length && !f.index)
    throw new UsageError('give the NAT logs to search with --nat-logs PATH (or the deterministic NAT rules with --det-nat, or an index with --index)')
  return {
    report,
    natLogs: f['nat-logs'] ?? [],
    dhcp: f.dhcp ?? [],
    logTz: f['log-tz'],
    dhcpTz: f['dhcp-tz'],
    reportTz: f['report-tz'],
    publicIp: f['public-ip'],
    maxSkew,
    ourNetworks: f['our-networks'],
    natFormat: f['nat-format'],
    leaseFormat: f['lease-format'],
    detNat: f['det-nat'],
    fullScan: f['full-scan'] || undefined,
    pruneMargin,
    index: f.index,
  }
}

/** The drafting flags shared by `draft` and `attribute --draft`. */
export const draftFlags = {
  lang: Flags.string({description: "language of the reply (pt-BR, en, es; default: the reporter's)"}),
  'customer-lang': Flags.string({description: 'language of customer notices (default: config customerLanguage, else the reply language)'}),
  templates: Flags.string({description: 'directory with your own templates: DIR/<lang>/{reply,notice,notice-subject}.eta'}),
  config: Flags.string({description: 'operator config file (default: ./natrace.config.json, else ~/.config/natrace/config.json)'}),
  org: Flags.string({description: 'organisation name signing the drafts (overrides the config)'}),
  from: Flags.string({description: 'From address of the reply, e.g. "Example Abuse <abuse@example.net>" (overrides the config)'}),
  unattended: Flags.boolean({description: 'the reply is sent without a human reading it: marks it Auto-Submitted: auto-replied', default: false}),
}

export interface DraftFlagValues {
  lang?: string
  'customer-lang'?: string
  templates?: string
  config?: string
  org?: string
  from?: string
  unattended?: boolean
}

/** Draft options from the flags, checked before any log is read (a bad --lang fails at once). */
export async function draftOptionsFrom(report: string, f: DraftFlagValues): Promise<Omit<DraftOptions, 'outDir'>> {
  const config = await loadOperatorConfig(f.config)
  if (f.org) config.organisation = f.org
  if (f.from) config.from = f.from
  const opts = {
    config,
    reportSource: report,
    unattended: f.unattended ?? false,
    ...(f.lang ? {lang: f.lang} : {}),
    ...(f['customer-lang'] ? {customerLang: f['customer-lang']} : {}),
    ...(f.templates ? {templatesDir: f.templates} : {}),
  }
  checkDraftOptions(opts)
  return opts
}
