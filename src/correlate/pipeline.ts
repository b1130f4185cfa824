/**
 * One attribution run: report → NAT logs (pre-filtered on the report's addresses) → lease sources
 * (pre-filtered on the inside addresses found) → engine → the JSON contract (AttributionResult).
 * `attribute`, `draft` and `review` all call this, so they give the same answers.
 */
import type {Assumption, AttributionResult, Incident, InputSummary, LeaseEvent, NatEvent, Report} from '../model.js'
import {formatWarning, NatraceError, UsageError, type Warning} from '../io/errors.js'
import {CidrSet} from '../io/net.js'
import {readAll, summarize} from '../io/inputs.js'
import {readSourcesParallel} from '../io/parallel.js'
import {DEFAULT_PRUNE_MARGIN_SECONDS, planPruning, type PruneDecision, type TimeWindow} from '../io/prune.js'
import {expandInputs} from '../io/files.js'
import type {SourceResult} from '../io/source.js'
import {formatInZone, isoUtc, systemZone, toZone, type YearPolicy} from '../io/time.js'
import {readReport} from '../report/index.js'
import {natFormats} from '../nat/registry.js'
import {detNatInsideAll, loadDetNat, type DetNatRule} from '../nat/detnat.js'
import {leaseFormats} from '../lease/registry.js'
import {buildHoldings} from '../lease/holdings.js'
import {zoneHints} from '../lease/consistency.js'
import {buildIntervals} from './intervals.js'
import {correlate} from './engine.js'
import {DEFAULT_MAX_SKEW_SECONDS, type AttributeOptions, type Progress, type ProgressSink} from './options.js'

export async function runAttribution(opts: AttributeOptions, onProgress?: ProgressSink): Promise<AttributionResult> {
  checkZones(opts)
  const skewS = opts.maxSkew ?? DEFAULT_MAX_SKEW_SECONDS
  if (!Number.isFinite(skewS) || skewS < 0 || skewS > 86_400) throw new UsageError(`--max-skew must be a number of seconds between 0 and 86400, not ${opts.maxSkew}`)
  const progress = makeProgress(onProgress)
  progress({phase: 'report'})
  const report = await readReport(opts.report, {reportTz: opts.reportTz, publicIp: opts.publicIp, ourNetworks: opts.ourNetworks})
  if (report.incidents.length === 0) throw new NatraceError('the report names no event with an IP address: nothing to attribute', 1, opts.report)

  const warnings: Warning[] = []
  const year = yearPolicy(report.incidents)

  // NAT logs: only lines that can name one of the report's translations are parsed; files whose time range
  // cannot hold a reported instant are not read (time pruning, src/io/prune.ts); files are read on worker
  // threads when there is enough to read (src/io/parallel.ts) — same results, same order
  const needles = natNeedles(report.incidents)
  // with --index the records come from the index; --nat-logs is not read
  const natFiles = opts.index ? [] : await expandInputs(opts.natLogs, 'NAT log', warnings)
  const skipped = new Map<SourceResult<NatEvent>, string>()
  const marginS = opts.pruneMargin ?? DEFAULT_PRUNE_MARGIN_SECONDS
  if (!Number.isFinite(marginS) || marginS < 0) throw new UsageError(`--prune-margin must be a number of seconds, not ${opts.pruneMargin}`)
  // DuckDB (a large native library) is loaded only when an index is asked for
  const index = opts.index ? await (await import('../index/query.js')).IndexReader.open(opts.index) : null
  const plan =
    index || opts.fullScan || natFiles.length < 2
      ? null
      : await planPruning(natFiles, natFormats, {zone: opts.logTz, year, format: opts.natFormat, windows: incidentWindows(report.incidents, skewS * 1000), marginMs: marginS * 1000})
  const toRead = plan ? natFiles.filter((_, i) => !plan[i]!.skip) : natFiles
  const natTotal = toRead.reduce((a, f) => a + f.size, 0)
  const read = await readSourcesParallel<NatEvent>(toRead, natFormats, {
    family: 'nat',
    // only records that can name a reported public ip:port are kept (memory flat whatever the logs hold)
    keep: {pairs: report.incidents.filter((i) => i.publicPort !== null && i.portRole === 'source').map((i) => ({ip: i.publicIp, port: i.publicPort!}))},
    yearFor: () => year,
    zone: opts.logTz,
    needles,
    format: opts.natFormat,
    onWarning: (w) => warnings.push(w),
    onFile: (f, i, n) => progress({phase: 'nat', file: f.display, filesDone: i, filesTotal: n, bytesTotal: natTotal}),
    onProgress: (bytes, lines) => progress({phase: 'nat', bytesRead: bytes, lines}),
  }).catch(rethrowFormat)
  let k = 0
  const nat = {
    results: index ? await index.nat(report.incidents, incidentWindows(report.incidents, skewS * 1000 + marginS * 1000), year) : natFiles.map((f, i) => {
      const d = plan?.[i]
      if (!d?.skip) return read[k++]!
      const r = skippedResult<NatEvent>(d)
      skipped.set(r, d.reason!)
      return r
    }),
  }
  const natEvents = nat.results.flatMap((r) => r.records)
  if (opts.detNat?.length) natEvents.push(...detNatEvents(loadDetNat(opts.detNat), report.incidents, skewS * 1000))
  const intervals = buildIntervals(natEvents)

  // lease sources: only lines naming an inside address that the NAT step found (multi-line formats: all)
  const insideIps = [...new Set(intervals.map((iv) => iv.insideIp))]
  progress({phase: 'leases', filesDone: 0, filesTotal: 0, bytesRead: 0, matched: intervals.length})
  const insideSet = new Set(insideIps)
  const leaseKept: LeaseEvent[][] = []
  let leaseFile = 0
  const leaseRead =
    index && opts.dhcp.length === 0
      ? index.hasLeases
        ? {results: await index.leases(insideIps, year)}
        : null
      : opts.dhcp.length > 0
      ? await readAll<LeaseEvent>(opts.dhcp, 'lease source', leaseFormats, {
          zone: opts.dhcpTz ?? opts.logTz,
          year,
          needles: insideIps.length > 0 && insideIps.length <= 5000 ? insideIps : undefined,
          format: opts.leaseFormat,
          onWarning: (w) => warnings.push(w),
          onFile: (f, i, n) => {
            leaseFile = i
            progress({phase: 'leases', file: f.display, filesDone: i, filesTotal: n})
          },
          // only the records of the inside addresses found are kept (lease tables read whole stay flat in memory)
          keepRecords: false,
          onRecord: (r) => {
            if (insideSet.has(r.ip)) (leaseKept[leaseFile] ??= []).push(r)
          },
        })
          .then((r) => ({...r, results: r.results.map((x, i) => ({...x, records: leaseKept[i] ?? []}))}))
          .catch(rethrowFormat)
      : null
  if (leaseRead) for (const h of zoneHints(leaseRead.results)) warnings.push({file: h.file, message: h.text})
  const holdings = buildHoldings(leaseRead ? leaseRead.results.flatMap((r) => r.records) : [])
  // the reported public addresses the indexed logs show near the incidents (a scan learns them as it reads);
  // only one-sided candidates (packet records) need them
  const indexSeen = index && natEvents.some((e) => e.kind === 'packet')
    ? await index.seenPublicIps(
        [...new Set(report.incidents.map((i) => i.publicIp).filter((ip): ip is string => ip !== null))],
        incidentWindows(report.incidents, skewS * 1000 + marginS * 1000),
      )
    : []
  index?.close()

  progress({phase: 'correlate'})
  const natCoverage = nat.results
    .filter((r) => r.spanFirstMs !== null && r.spanLastMs !== null)
    .map((r) => ({first: r.spanFirstMs!, last: r.spanLastMs!}))
  const reportZone = report.incidents[0]?.zone.zone ?? 'UTC'
  const out = correlate(report.incidents, intervals, holdings, {
    maxSkewMs: skewS * 1000,
    natCoverage,
    haveLeases: leaseRead !== null,
    reportZone,
    publicIpConfirmed: publicIpConfirmation(natEvents, [...nat.results.flatMap((r) => r.seenIps ?? []), ...indexSeen], opts.ourNetworks),
  })

  const assumptions: Assumption[] = [
    ...report.assumptions,
    ...sourceAssumptions('NAT log', nat.results, opts.logTz ? '--log-tz' : null),
    ...(leaseRead ? sourceAssumptions('lease source', leaseRead.results, opts.dhcpTz ? '--dhcp-tz' : opts.logTz ? '--log-tz' : null) : []),
    ...out.assumptions,
  ]
  if (index)
    assumptions.push({
      kind: 'index',
      text: `NAT records${opts.dhcp.length === 0 && index.hasLeases ? ' and leases' : ''} read from the index ${opts.index} (${index.natFileCount} NAT log file(s) indexed; records within ${marginS / 3600} h of the reported instants, as time pruning would read)`,
    })
  if (skipped.size > 0)
    assumptions.push({
      kind: 'time-pruning',
      text: `${skipped.size} of ${natFiles.length} NAT log file(s) not read: their time range lies more than ${marginS / 3600} h from every reported instant (a translation held longer than that, with all its records in those files, would be missed; --full-scan reads every file)`,
    })
  if (opts.maxSkew === undefined)
    assumptions.push({kind: 'max-skew', text: `clock tolerance between the reporter and our logs: ±${skewS} s (default; --max-skew to change)`})
  const unread = nat.results.filter((r) => r.format === null)
  const warned = new Set(warnings.map((w) => w.file))
  for (const r of unread.filter((x) => !warned.has(x.file.display))) warnings.push({file: r.file.display, message: 'no known NAT log format recognised in this file: not used (see `natrace logs inspect`)'})
  if (leaseRead) for (const r of leaseRead.results.filter((x) => x.format === null && !warned.has(x.file.display))) warnings.push({file: r.file.display, message: 'no known lease format recognised in this file: not used (see `natrace leases inspect`)'})

  progress({phase: 'done', matched: out.incidents.filter((i) => i.attribution.status === 'attributed').length})
  return {
    report: {
      file: opts.report,
      format: report.format,
      reporter: report.reporter,
      ticket: report.ticket,
      subject: report.subject,
      messageId: report.messageId,
      from: report.from,
      replyTo: report.replyTo,
      date: report.date === null ? null : isoUtc(report.date),
      language: report.language,
      zone: reportZone,
    },
    assumptions,
    incidents: out.incidents.map((inc, i) => ({
      ...inc,
      reportedTime: formatInZone(report.incidents[i]!.time, report.incidents[i]!.zone.zone),
    })),
    clients: out.clients,
    clockOffsetSeconds: out.clockOffsetSeconds,
    inputs: {
      nat: nat.results.map((r) => (skipped.has(r) ? {...summarizeSpan(r), skipped: skipped.get(r)} : summarizeSpan(r))),
      leases: leaseRead ? leaseRead.results.map(summarizeSpan) : [],
    },
    warnings: warnings.map(formatWarning),
  }
}

/** The windows of the log clock that can hold a record of an incident: its reported instants ± skew. */
function incidentWindows(incidents: Incident[], skewMs: number): TimeWindow[] {
  return incidents.map((inc) => {
    const ts = inc.times.length ? inc.times : [inc.time]
    return {from: Math.min(...ts) - skewMs, to: Math.max(...ts) + skewMs}
  })
}

/** What a file skipped by time pruning contributes: no records; its span as far as its head and neighbours tell. */
function skippedResult<T>(d: PruneDecision): SourceResult<T> {
  return {
    file: d.file,
    format: d.format,
    records: [],
    zone: d.zone,
    years: [],
    dstRepeated: 0,
    dstGap: 0,
    parsedLines: 0,
    ignoredLines: 0,
    malformed: {count: 0, lines: [], first: []},
    prefiltered: true,
    firstMs: null,
    lastMs: null,
    recordCount: 0,
    spanFirstMs: d.first,
    spanLastMs: d.lastBound ?? d.first,
  }
}

/** The report that was read, for callers that show it before the logs are read (review). */
export type {Report}

function summarizeSpan<T>(r: SourceResult<T>): InputSummary {
  const s = summarize(r)
  // a pre-filtered read only parsed matching lines: the file's span comes from its first and last lines
  if (r.prefiltered) {
    s.firstTime = r.spanFirstMs === null ? null : isoUtc(r.spanFirstMs)
    s.lastTime = r.spanLastMs === null ? null : isoUtc(r.spanLastMs)
  }
  return s
}

function checkZones(opts: AttributeOptions): void {
  for (const [flag, z] of [['--log-tz', opts.logTz], ['--dhcp-tz', opts.dhcpTz], ['--report-tz', opts.reportTz]] as const) {
    if (z === undefined) continue
    try {
      toZone(z)
    } catch (e) {
      throw new UsageError(`${flag}: ${(e as Error).message}`)
    }
  }
}

function rethrowFormat(e: unknown): never {
  if (e instanceof NatraceError) throw e
  const msg = (e as Error).message ?? String(e)
  if (/unknown format/.test(msg)) throw new UsageError(`${msg}: see \`natrace logs inspect\` for the format names`)
  throw e
}

/**
 * Syslog stamps have no year: take the one that puts each line nearest to the report's events (a log line
 * from December read for a January report is last year's).
 */
function yearPolicy(incidents: Incident[]): YearPolicy {
  const first = Math.min(...incidents.map((i) => i.time))
  return {anchorMs: first, mode: 'nearest', anchorWhat: "the report's first event"}
}

/**
 * Substrings that every NAT line able to match one of the incidents contains: the public IP (two-sided
 * translations), the destination IP, and — when the destination is masked or absent — the source port as
 * written by one-sided logs (ipfw "ip:52218", iptables "SPT=52218", conntrack "sport=52218").
 */
export function natNeedles(incidents: Incident[]): string[] {
  const out = new Set<string>()
  for (const inc of incidents) {
    if (inc.publicIp) out.add(inc.publicIp)
    if (inc.destIp) out.add(inc.destIp)
    else if (inc.publicPort !== null) out.add(String(inc.publicPort))
  }
  return [...out]
}

function sourceAssumptions<T>(what: string, results: SourceResult<T>[], flag: string | null): Assumption[] {
  const out: Assumption[] = []
  for (const r of results) {
    if (r.format === null) continue
    const file = r.file.display
    const zoneText =
      r.zone.how === 'format'
        ? `${r.zone.zone}, as the ${r.format} format defines`
        : r.zone.how === 'flag'
          ? `${r.zone.zone}, from ${flag ?? 'the command line'}`
          : `${r.zone.zone}, the system zone (nothing said; pass ${what === 'NAT log' ? '--log-tz' : '--dhcp-tz'} if the device logs in another zone)`
    out.push({kind: what === 'NAT log' ? 'log-zone' : 'lease-zone', file, text: `${what} ${file} (${r.format}): times without a zone read in ${zoneText}`})
    if (r.years.length > 0)
      out.push({kind: 'syslog-year', file, text: `${file}: syslog stamps carry no year; read as ${r.years.join(', ')} (nearest to the report's first event, never after the file's modification time)`})
    if (r.dstRepeated > 0)
      out.push({kind: 'dst-ambiguous', file, text: `${file}: ${r.dstRepeated} line(s) fall in the repeated DST hour of ${r.zone.zone}; resolved by line order`})
    if (r.dstGap > 0) out.push({kind: 'dst-gap', file, text: `${file}: ${r.dstGap} line(s) stamped inside a DST gap of ${r.zone.zone} (a time that does not exist); read with the offset before the gap`})
    if (r.malformed.count > 0)
      out.push({kind: 'malformed', file, text: `${file}: ${r.malformed.count} line(s) of ${r.format} could not be read (first: ${r.malformed.first.map((m) => `line ${m.line}: ${m.reason}`).join('; ')})`})
  }
  return out
}

function makeProgress(sink?: ProgressSink): (p: Partial<Progress> & {phase: Progress['phase']}) => void {
  const state: Progress = {phase: 'report', filesDone: 0, filesTotal: 0, bytesRead: 0, bytesTotal: 0, lines: 0, matched: 0}
  return (p) => {
    if (!sink) return
    Object.assign(state, p)
    sink({...state})
  }
}

export {systemZone}

/**
 * Deterministic NAT logs nothing: each reported public ip:port is mapped through the operator's rules into a
 * port-block record (inside address → public address + its port block, over the rule's validity period), so the
 * engine treats it like a logged port-block allocation. The rule is the evidence.
 */
function detNatEvents(rules: DetNatRule[], incidents: Incident[], skewMs: number): NatEvent[] {
  const out: NatEvent[] = []
  const seen = new Set<string>()
  for (const inc of incidents) {
    if (!inc.publicIp || inc.publicPort === null || inc.portRole !== 'source') continue
    // every rule live within the clock tolerance: at a configuration change, both mappings are candidates
    for (const t of inc.times.flatMap((x) => [x - skewMs, x, x + skewMs])) {
      for (const hit of detNatInsideAll(rules, inc.publicIp, inc.publicPort, t)) {
        const key = `${hit.rule.source}|${hit.insideIp}|${hit.publicIp}|${hit.portRange.first}`
        if (seen.has(key)) continue
        seen.add(key)
        const from = hit.rule.from ?? t - 86_400_000 * 366
        const to = hit.rule.to ?? t + 86_400_000 * 366
        out.push({
          kind: 'port-block',
          phase: 'open',
          time: from,
          end: to,
          protocol: null,
          insideIp: hit.insideIp,
          insidePort: null,
          outsideIp: hit.publicIp,
          outsidePort: hit.portRange.first,
          outsidePortEnd: hit.portRange.last,
          destIp: null,
          destPort: null,
          subscriber: null,
          evidence: {file: hit.rule.source, line: 1, text: `deterministic NAT ${hit.rule.spec}: ${hit.insideIp} ↔ ${hit.publicIp} ports ${hit.portRange.first}-${hit.portRange.last}`, role: 'det-nat'},
        })
      }
    }
  }
  return out
}

/**
 * One-sided logs (ipfw, pf, iptables) show inside addresses only: nothing in a match proves the reported public
 * address is the one these clients went out through. It is confirmed when --our-networks holds it, or when the
 * logs themselves show it (reply packets to our public address, translations). An index lookup asks the index
 * for the rows showing it near the incidents (IndexReader.seenPublicIps).
 */
function publicIpConfirmation(events: NatEvent[], seenByReader: string[], ourNetworks: string[] | undefined): ((ip: string) => boolean) | undefined {
  const ours = ourNetworks?.length ? new CidrSet(ourNetworks) : null
  const seen = new Set<string>(seenByReader)
  for (const e of events) {
    if (e.outsideIp) seen.add(e.outsideIp)
    if (e.kind === 'packet') {
      if (e.srcIp) seen.add(e.srcIp)
      if (e.dstIp) seen.add(e.dstIp)
    }
  }
  return (ip) => seen.has(ip) || (ours?.has(ip) ?? false)
}
